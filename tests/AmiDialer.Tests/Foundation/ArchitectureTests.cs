using System.Xml.Linq;
using AmiDialer.Testing;

namespace AmiDialer.Tests.Foundation;

/// <summary>The dependency direction of the projects is the architecture; these tests keep it from rotting.</summary>
public sealed class ArchitectureTests
{
    public static TheoryData<string, string[]> AllowedReferences => new()
    {
        { "AmiDialer.Ami", [] },
        { "AmiDialer.Core", [] },
        { "AmiDialer.Data", ["AmiDialer.Core"] },
        { "AmiDialer.Simulator", ["AmiDialer.Ami"] },
        { "AmiDialer.Engine", ["AmiDialer.Ami", "AmiDialer.Core", "AmiDialer.Data"] },
        { "AmiDialer", ["AmiDialer.Ami", "AmiDialer.Core", "AmiDialer.Data", "AmiDialer.Engine", "AmiDialer.Simulator"] },
    };

    [Theory]
    [MemberData(nameof(AllowedReferences))]
    public void Project_references_only_what_the_architecture_allows(string project, string[] allowed)
    {
        var actual = ProjectReferences(project);
        var forbidden = actual.Except(allowed).ToList();
        Assert.True(forbidden.Count == 0, $"{project} must not reference {string.Join(", ", forbidden)}");
    }

    [Fact]
    public void Every_source_project_is_covered_by_the_rule()
    {
        var projects = Directory.GetDirectories(Path.Combine(RepoPaths.RepoRoot, "src")).Select(d => Path.GetFileName(d)!).Order().ToList();
        var covered = AllowedReferences.Select(row => (string)row[0]).Order().ToList();
        Assert.Equal(covered, projects);
    }

    [Fact]
    public void Core_has_no_io_packages()
    {
        var packages = PackageReferences("AmiDialer.Core");
        Assert.DoesNotContain(packages, p => p.Contains("Sqlite", StringComparison.OrdinalIgnoreCase) || p.Contains("Dapper", StringComparison.Ordinal) || p.Contains("Quartz", StringComparison.Ordinal));
    }

    [Fact]
    public void Ami_assembly_does_not_reference_other_projects_at_run_time()
    {
        var ami = System.Reflection.Assembly.Load("AmiDialer.Ami").GetReferencedAssemblies().Select(a => a.Name ?? "");
        Assert.DoesNotContain(ami, n => n.StartsWith("AmiDialer.", StringComparison.Ordinal));
    }

    private static List<string> ProjectReferences(string project) =>
        Load(project).Descendants("ProjectReference")
            .Select(e => Path.GetFileNameWithoutExtension(((string?)e.Attribute("Include") ?? "").Replace('\\', '/')))
            .ToList();

    private static List<string> PackageReferences(string project) =>
        Load(project).Descendants("PackageReference").Select(e => (string?)e.Attribute("Include") ?? "").ToList();

    private static XDocument Load(string project) =>
        XDocument.Load(Path.Combine(RepoPaths.RepoRoot, "src", project, project + ".csproj"));
}
