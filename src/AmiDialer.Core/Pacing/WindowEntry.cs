namespace AmiDialer.Core.Pacing;

/// <summary>
/// Originates sent together, as the sliding window counts them: from the moment they were decided until one window
/// after their Response came back. The window must hold where Asterisk receives the actions, and a write can leave
/// well after it is decided; the Response comes after Asterisk received them, so no receiver-side window can hold more.
/// </summary>
/// <param name="Count">How many Originates went out together.</param>
/// <param name="AnsweredAt">When their Responses (or the failure to send) came back; null while awaited: they count until then.</param>
public readonly record struct WindowEntry(int Count, DateTimeOffset? AnsweredAt);
