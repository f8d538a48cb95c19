using AmiDialer.Ami;

namespace AmiDialer.Engine.Tracking;

/// <summary>Reads the tracker's view of an AMI event off the wire message.</summary>
public static class AmiCallEvents
{
    public static CallEvent From(AmiMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var kind = CallEvent.KindOf(message.EventName);
        if (kind == CallEventKind.Other)
        {
            return Other;
        }

        return new CallEvent
        {
            Kind = kind,
            ActionId = message.ActionId,
            Channel = message.Channel,
            Uniqueid = message.Uniqueid,
            Linkedid = message.Linkedid,
            DestChannel = message.DestChannel,
            DestUniqueid = message.DestUniqueid,
            DestLinkedid = message.DestLinkedid,
            ChannelState = message.Get("ChannelState"),
            Response = kind == CallEventKind.OriginateResponse ? message.Response : null,
            Reason = message.Get("Reason"),
            DialStatus = message.DialStatus,
            Cause = message.Get("Cause"),
            CauseText = message.CauseText,
        };
    }

    private static readonly CallEvent Other = new() { Kind = CallEventKind.Other };
}
