using System.Net;
using AmiDialer.Web.Auth;
using Microsoft.Extensions.Time.Testing;

namespace AmiDialer.Tests.Web;

public sealed class LoginThrottleTests
{
    [Fact]
    public async Task Five_wrong_passwords_lock_the_address_out_even_for_the_right_one_until_the_window_passes()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 26, 9, 0, 0, TimeSpan.Zero));
        await using var host = await WebTestHost.StartAsync(time: time, simulate: false);
        using var client = host.Anonymous();
        for (var i = 0; i < LoginThrottle.MaxFailures; i++)
        {
            using var wrong = await WebTestHost.LoginAsync(client, "guess " + i);
            Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
            time.Advance(TimeSpan.FromMinutes(1));
        }

        using var locked = await WebTestHost.LoginAsync(client, WebTestHost.Password);
        Assert.Equal(HttpStatusCode.TooManyRequests, locked.StatusCode);
        Assert.Contains("Too many failed logins", await locked.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        // The first failure was at 09:00, so the address may try again at 09:15; it is now 09:05.
        Assert.Equal(TimeSpan.FromMinutes(10), locked.Headers.RetryAfter?.Delta);
        using var stillOut = await client.GetAsync("/");
        Assert.Equal(HttpStatusCode.Redirect, stillOut.StatusCode);

        time.Advance(TimeSpan.FromMinutes(10));
        using var right = await WebTestHost.LoginAsync(client, WebTestHost.Password);
        Assert.Equal(HttpStatusCode.SeeOther, right.StatusCode);
        using var page = await client.GetAsync("/");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
    }

    [Fact]
    public void A_success_clears_the_record_and_addresses_are_counted_apart()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 26, 9, 0, 0, TimeSpan.Zero));
        var throttle = new LoginThrottle(time);
        for (var i = 0; i < LoginThrottle.MaxFailures - 1; i++)
        {
            throttle.Failed("192.0.2.1");
        }

        Assert.Equal(TimeSpan.Zero, throttle.RetryAfter("192.0.2.1"));
        throttle.Failed("192.0.2.1");
        Assert.Equal(LoginThrottle.Window, throttle.RetryAfter("192.0.2.1"));
        Assert.Equal(TimeSpan.Zero, throttle.RetryAfter("192.0.2.2"));

        throttle.Succeeded("192.0.2.1");
        Assert.Equal(TimeSpan.Zero, throttle.RetryAfter("192.0.2.1"));
    }

    [Fact]
    public void Failures_older_than_the_window_no_longer_count()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 26, 9, 0, 0, TimeSpan.Zero));
        var throttle = new LoginThrottle(time);
        for (var i = 0; i < LoginThrottle.MaxFailures; i++)
        {
            throttle.Failed("198.51.100.7");
            time.Advance(LoginThrottle.Window / LoginThrottle.MaxFailures);
        }

        // Five failures, one every three minutes: the first has just left the window.
        Assert.Equal(TimeSpan.Zero, throttle.RetryAfter("198.51.100.7"));
        throttle.Failed("198.51.100.7");
        Assert.Equal(LoginThrottle.Window / LoginThrottle.MaxFailures, throttle.RetryAfter("198.51.100.7"));
    }

    [Fact]
    public void Many_guessing_addresses_keep_memory_bounded()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 26, 9, 0, 0, TimeSpan.Zero));
        var throttle = new LoginThrottle(time);
        for (var i = 0; i < LoginThrottle.MaxTrackedAddresses + 500; i++)
        {
            throttle.Failed("10.0." + (i / 256) + "." + (i % 256));
            time.Advance(TimeSpan.FromMilliseconds(1));
        }

        Assert.InRange(throttle.TrackedAddresses, 1, LoginThrottle.MaxTrackedAddresses);
    }
}
