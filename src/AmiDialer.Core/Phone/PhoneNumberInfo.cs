namespace AmiDialer.Core.Phone;

/// <summary>
/// One number in the three spellings a dial string template can use.
/// </summary>
/// <param name="E164">With the plus: <c>+14155550123</c> (<c>{e164}</c>).</param>
/// <param name="Number">The same digits without the plus: <c>14155550123</c> (<c>{number}</c>).</param>
/// <param name="National">The national significant number: <c>4155550123</c> (<c>{national}</c>).</param>
public sealed record PhoneNumberInfo(string E164, string Number, string National);
