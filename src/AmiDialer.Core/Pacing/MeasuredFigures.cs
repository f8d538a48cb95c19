namespace AmiDialer.Core.Pacing;

/// <summary>A campaign's measured figures at one moment (<see cref="PacingMeasurements.Figures"/>).</summary>
/// <param name="AnswersMeasured">Answers measured since the campaign's measurements began (not only in the window).</param>
/// <param name="CallsInWindow">Ended-or-answered calls the answer rate is measured over.</param>
/// <param name="AnswerRate">Answered over <paramref name="CallsInWindow"/>; 0 with none.</param>
/// <param name="AnswerRateUpper">The upper bound of the Wilson 95% interval of <paramref name="AnswerRate"/>; 1 with no calls.</param>
/// <param name="RingToAnswer">The mean time from placing a call to its answer, over the recent answers.</param>
/// <param name="Talk">The mean talk time (connected to an agent until the call ends), over the recent calls.</param>
/// <param name="AnswersForAbandon">Answers in the abandon window (the operator's rule: 24 h or 30 days).</param>
/// <param name="Abandoned">Of those, the calls not connected to an agent within 2 s of the answer.</param>
public sealed record MeasuredFigures(
    long AnswersMeasured,
    int CallsInWindow,
    double AnswerRate,
    double AnswerRateUpper,
    TimeSpan RingToAnswer,
    TimeSpan Talk,
    int AnswersForAbandon,
    int Abandoned)
{
    /// <summary>Abandoned over answered in the abandon window; 0 with no answer.</summary>
    public double AbandonRate => AnswersForAbandon == 0 ? 0 : (double)Abandoned / AnswersForAbandon;
}
