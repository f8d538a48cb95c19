namespace AmiDialer.Ami;

/// <summary>
/// How one action of <see cref="AmiClient.SendBatchAsync"/> ended: its response, or the error
/// <see cref="AmiClient.SendAsync(AmiAction, CancellationToken)"/> would have thrown for it.
/// </summary>
public readonly record struct AmiActionResult(AmiMessage? Response, Exception? Error);
