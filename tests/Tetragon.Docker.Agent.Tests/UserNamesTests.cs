using Tetragon.Docker.Agent.Process;

namespace Tetragon.Docker.Agent.Tests;

public sealed class UserNamesTests
{
    [Fact]
    public void PasswdLinesGiveTheFirstNameOfEachUid()
    {
        var names = UserNames.Parse(["root:x:0:0:root:/root:/bin/bash", "# comment:x:5", "toor:x:0:0::/:/bin/sh", "broken", "web:x:notanumber:1", "app:x:1000:1000::/home/app:/bin/sh"]);
        Assert.Equal(new Dictionary<uint, string> { [0] = "root", [1000] = "app" }, names);
    }

    [Fact]
    public void AChangedFileIsReadAgainAtTheNextCheck()
    {
        var path = Path.GetTempFileName();
        var time = new ManualTime();
        try
        {
            File.WriteAllText(path, "root:x:0:0::/:/bin/sh\n");
            var users = new UserNames(path, time);
            Assert.Equal("root", users.Of(0)?.Name);
            Assert.Null(users.Of(1000));

            File.WriteAllText(path, "root:x:0:0::/:/bin/sh\napp:x:1000:1000::/:/bin/sh\n");
            File.SetLastWriteTimeUtc(path, DateTime.UtcNow.AddMinutes(1));
            Assert.Null(users.Of(1000)); // not looked at again within the second
            time.Advance(TimeSpan.FromSeconds(1));
            Assert.Equal("app", users.Of(1000)?.Name);
            Assert.Same(users.Of(1000), users.Of(1000)); // one record per uid, shared
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void AnUnreadableFileKeepsTheNamesAlreadyRead()
    {
        var path = Path.GetTempFileName();
        var time = new ManualTime();
        File.WriteAllText(path, "root:x:0:0::/:/bin/sh\n");
        var users = new UserNames(path, time);
        Assert.Equal("root", users.Of(0)?.Name);
        File.Delete(path);
        time.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal("root", users.Of(0)?.Name);
    }
}
