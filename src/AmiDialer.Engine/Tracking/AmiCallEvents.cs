using System.Runtime.CompilerServices;
using AmiDialer.Ami;

namespace AmiDialer.Engine.Tracking;

/// <summary>Reads the tracker's view of an AMI event off the wire message.</summary>
public static class AmiCallEvents
{
    private static readonly CallEvent Other = new() { Kind = CallEventKind.Other };

    // Read in one pass over the event's headers: the tracker reads a dozen of an event's twenty or so.
    private static readonly AmiHeaderKeys Keys = new(
        "ActionID", "Channel", "Uniqueid", "Linkedid", "DestChannel", "DestUniqueid", "DestLinkedid",
        "ChannelState", "Response", "Reason", "DialStatus", "Cause", "Cause-txt");

    public static CallEvent From(AmiMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var kind = CallEvent.KindOf(message.EventName);
        if (kind == CallEventKind.Other)
        {
            return Other;
        }

        var v = new Values();
        message.GetValues(Keys, v);
        return new CallEvent
        {
            Kind = kind,
            ActionId = v[0],
            Channel = v[1],
            Uniqueid = v[2],
            Linkedid = v[3],
            DestChannel = v[4],
            DestUniqueid = v[5],
            DestLinkedid = v[6],
            ChannelState = v[7],
            Response = kind == CallEventKind.OriginateResponse ? v[8] : null,
            Reason = v[9],
            DialStatus = v[10],
            Cause = v[11],
            CauseText = v[12],
        };
    }

    [InlineArray(13)]
    private struct Values
    {
        private string? _first;
    }
}
