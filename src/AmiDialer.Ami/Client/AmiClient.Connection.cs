using System.Net.Security;
using System.Security.Authentication;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;

namespace AmiDialer.Ami;

/// <summary>Connecting, logging in, keeping alive and reconnecting.</summary>
public sealed partial class AmiClient
{
    private static readonly TimeSpan FirstRetryDelay = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan StableConnection = TimeSpan.FromSeconds(10);

    /// <summary>Backoff before retry number <paramref name="failures"/> (0-based): 100 ms doubling up to the cap, with jitter in [half, full].</summary>
    internal static TimeSpan ReconnectDelay(int failures, TimeSpan cap, double jitter)
    {
        var ceiling = FirstRetryDelay.TotalMilliseconds * Math.Pow(2, Math.Min(failures, 30));
        var capped = Math.Min(ceiling, cap.TotalMilliseconds);
        return TimeSpan.FromMilliseconds(capped * (0.5 + (0.5 * jitter)));
    }

    private async Task RunAsync(CancellationToken stop)
    {
        var failures = 0;
        var attempt = 0;
        while (!stop.IsCancellationRequested)
        {
            attempt++;
            SetState(AmiConnectionStatus.Connecting, null, null);
            LogMessages.Connecting(_logger, _options.Host, _options.Port, attempt);
            TimeSpan delay;
            try
            {
                var connection = await OpenAsync(stop).ConfigureAwait(false);
                var loggedInAt = _time.GetTimestamp();
                attempt = 0;
                await connection.Closed.WaitAsync(stop).ConfigureAwait(false);

                // A connection that dies right after login (event buffer still full, a proxy that drops us) must not
                // turn into a login every 100 ms: only one that lived a while resets the backoff.
                failures = _time.GetElapsedTime(loggedInAt) >= StableConnection ? 0 : failures + 1;
                delay = ReconnectDelay(failures == 0 ? 0 : failures - 1, _options.MaxReconnectDelay, Random.Shared.NextDouble());
                await WaitForEventBufferToDrainAsync(stop).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                break;
            }
            catch (AmiAuthenticationException ex)
            {
                delay = _options.AuthenticationRetryDelay;
                LogMessages.AuthenticationFailed(_logger, _options.Host, _options.Port, _options.Username, ex.Message, delay);
                SetState(AmiConnectionStatus.Disconnected, ex.Message, ex);
            }
            catch (Exception ex) when (ex is SocketException or IOException or AmiException or OperationCanceledException or AuthenticationException or ObjectDisposedException)
            {
                var reason = ex is OperationCanceledException ? $"no connection within {_options.ConnectTimeout}" : ex.Message;
                LogMessages.ConnectFailed(_logger, _options.Host, _options.Port, attempt, reason, ex);
                SetState(AmiConnectionStatus.Disconnected, reason, ex);
                delay = ReconnectDelay(failures++, _options.MaxReconnectDelay, Random.Shared.NextDouble());
            }

            LogMessages.ReconnectScheduled(_logger, _options.Host, _options.Port, delay);
            try
            {
                await Task.Delay(delay, _time, stop).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
    }

    /// <summary>
    /// After the event buffer overflowed, reconnecting before the consumer has caught up would only overflow it
    /// again: wait until it is at most half full.
    /// </summary>
    private async Task WaitForEventBufferToDrainAsync(CancellationToken stop)
    {
        while (_eventReader.Count > _options.EventBufferCapacity / 2)
        {
            await Task.Delay(FirstRetryDelay, _time, stop).ConfigureAwait(false);
        }
    }

    private async Task<AmiConnection> OpenAsync(CancellationToken stop)
    {
        using var connectTimeout = new CancellationTokenSource(_options.ConnectTimeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(stop, connectTimeout.Token);
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        Stream stream;
        try
        {
            await socket.ConnectAsync(_options.Host, _options.Port, linked.Token).ConfigureAwait(false);
            stream = new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        if (_options.UseTls)
        {
            var tls = new SslStream(stream, leaveInnerStreamOpen: false, _options.TlsCertificateValidation);
            try
            {
                await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = _options.TlsTargetHost ?? _options.Host }, linked.Token).ConfigureAwait(false);
            }
            catch
            {
                await tls.DisposeAsync().ConfigureAwait(false);
                throw;
            }

            stream = tls;
        }

        var connection = new AmiConnection(this, stream, Interlocked.Read(ref _generation) + 1, _time);
        connection.StartReading(_options.ParserLimits, _eventFilter);
        try
        {
            await LoginAsync(connection, linked.Token).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            connection.Break("login did not complete: " + ex.Message, ex);
            throw;
        }

        connection.IsLoggedIn = true;
        Interlocked.Exchange(ref _generation, connection.Generation);
        Volatile.Write(ref _current, connection);
        if (connection.IsBroken)
        {
            // It dropped between the login response and now; let the loop see it.
            Interlocked.CompareExchange(ref _current, null, connection);
            throw new AmiConnectionLostException("AMI connection dropped right after login: " + connection.BreakReason);
        }

        LogMessages.LoggedIn(_logger, _options.Host, _options.Port, _options.Username, connection.Banner, connection.Generation);
        _ = KeepAliveAsync(connection);
        SetState(AmiConnectionStatus.Connected, null, null);
        return connection;
    }

    private async Task LoginAsync(AmiConnection connection, CancellationToken cancellationToken)
    {
        var login = new AmiAction("Login").Add("Username", _options.Username);
        if (_options.Auth == AmiAuthMethod.Md5)
        {
            var challenge = await LoginStepAsync(connection, new AmiAction("Challenge").Add("AuthType", "MD5"), cancellationToken).ConfigureAwait(false);
            var text = challenge.Challenge ?? throw new AmiAuthenticationException("Asterisk answered Challenge without a challenge.");
            login.Add("AuthType", "MD5").Add("Key", Md5Key(text, _options.Secret));
        }
        else
        {
            login.Add("Secret", _options.Secret);
        }

        login.Add("Events", _options.EffectiveEventMask());
        await LoginStepAsync(connection, login, cancellationToken).ConfigureAwait(false);
    }

    private async Task<AmiMessage> LoginStepAsync(AmiConnection connection, AmiAction action, CancellationToken cancellationToken)
    {
        var actionId = _ids.Next();
        try
        {
            return (AmiMessage)await connection.SendAsync(action, actionId, action.ToBytes(actionId), isList: false, _options.ActionTimeout, cancellationToken).ConfigureAwait(false);
        }
        catch (AmiActionException ex)
        {
            // Asterisk says "Authentication failed" for a wrong secret and an unknown user alike.
            throw new AmiAuthenticationException($"Asterisk refused {action.Name} for user '{_options.Username}': {ex.Message}", ex);
        }
    }

    internal static string Md5Key(string challenge, string secret)
    {
#pragma warning disable CA5351 // AMI's challenge login is defined as MD5; it only avoids sending the secret in clear.
        return Convert.ToHexStringLower(MD5.HashData(Encoding.UTF8.GetBytes(challenge + secret)));
#pragma warning restore CA5351
    }

    /// <summary>
    /// Pings when nothing arrived for half an interval and wants the Pong within the other half, so a half-open
    /// connection is found within two intervals. Skipped while a sync Originate holds the session (it answers nothing).
    /// </summary>
    private async Task KeepAliveAsync(AmiConnection connection)
    {
        var half = _options.PingInterval / 2;
        try
        {
            while (!connection.IsBroken)
            {
                await Task.Delay(half, _time, connection.Token).ConfigureAwait(false);
                if (connection.IdleFor < half || connection.HasBlockingAction)
                {
                    continue;
                }

                var ping = new AmiAction("Ping");
                var actionId = _ids.Next();
                try
                {
                    await connection.SendAsync(ping, actionId, ping.ToBytes(actionId), isList: false, half, connection.Token).ConfigureAwait(false);
                }
                catch (AmiActionTimeoutException)
                {
                    LogMessages.PingTimedOut(_logger, _options.Host, _options.Port, half);
                    connection.Break($"keep-alive Ping unanswered within {half}", null);
                }
                catch (AmiActionException)
                {
                    // An answer, even an error, proves the connection is alive.
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (AmiException)
        {
            // The connection dropped; its reader already reported why.
        }
    }
}
