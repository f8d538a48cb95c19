namespace AmiDialer.Core.Pacing;

/// <summary>Decides how many calls may start now. Pure, so agent-aware pacing can replace the fixed one without touching I/O.</summary>
public interface IPacingPolicy
{
    PacingDecision Decide(PacingState state);
}
