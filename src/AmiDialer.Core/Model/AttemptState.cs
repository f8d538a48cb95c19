namespace AmiDialer.Core.Model;

public enum AttemptState
{
    /// <summary>Written before the Originate is sent; the action may or may not have reached Asterisk.</summary>
    Dialing,
    /// <summary>Asterisk accepted the Originate; waiting for its OriginateResponse and hangups.</summary>
    Live,
    /// <summary>Final: the outcome is known and will not change.</summary>
    Ended,
}
