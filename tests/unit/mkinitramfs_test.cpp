// scripts/mkinitramfs: writes a cpio "newc" archive. Checked with a reader
// written here from the format description (Linux's
// Documentation/driver-api/early-userspace/buffer-format.rst):
//
//   header: "070701", then 13 fields of 8 hex digits: ino mode uid gid nlink
//   mtime filesize devmajor devminor rdevmajor rdevminor namesize check;
//   then the name (namesize bytes, NUL included), padded with NULs to a
//   multiple of 4 counted from the header's start; then the data, padded to
//   4; the last entry is named TRAILER!!!.
#include <gtest/gtest.h>

#include "script_runner.h"

#include <sys/stat.h>
#include <sys/wait.h>

#include <cctype>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace {

namespace fs = std::filesystem;

using namespace script_runner;

void write_file(const fs::path& p, const std::string& data, fs::perms perms) {
    fs::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << data;
    fs::permissions(p, perms);
}

// ------------------------------------------------------------ a newc reader

struct Entry {
    size_t offset;
    unsigned ino, mode, uid, gid, nlink, mtime, filesize, devmajor, devminor, rdevmajor, rdevminor, namesize, check;
    std::string name, data;
};

// Parses the whole archive; on a format error returns false with a reason.
bool parse_newc(const std::string& a, std::vector<Entry>& out, std::string& error) {
    size_t o = 0;
    for (;;) {
        if (o % 4) return error = "entry at " + std::to_string(o) + " not 4-byte aligned", false;
        if (o + 110 > a.size()) return error = "truncated header at " + std::to_string(o), false;
        if (a.compare(o, 6, "070701") != 0) return error = "bad magic at " + std::to_string(o), false;
        unsigned fields[13];
        for (int f = 0; f < 13; f++) {
            const std::string hex = a.substr(o + 6 + 8 * f, 8);
            for (char c : hex)
                if (!std::isxdigit(static_cast<unsigned char>(c)))
                    return error = "field " + std::to_string(f) + " not hex: " + hex, false;
            fields[f] = unsigned(std::stoul(hex, nullptr, 16));
        }
        Entry e{o,         fields[0], fields[1], fields[2],  fields[3],  fields[4],  fields[5], fields[6],
                fields[7], fields[8], fields[9], fields[10], fields[11], fields[12], "",        ""};
        if (e.namesize == 0) return error = "empty name", false;
        size_t p = o + 110;
        if (p + e.namesize > a.size()) return error = "truncated name", false;
        e.name = a.substr(p, e.namesize);
        if (e.name.back() != '\0') return error = "name not NUL-terminated: " + e.name, false;
        e.name.pop_back();
        if (e.name.find('\0') != std::string::npos) return error = "NUL inside a name", false;
        p += e.namesize;
        for (; p % 4; p++)
            if (p >= a.size() || a[p] != '\0') return error = "bad name padding after " + e.name, false;
        if (p + e.filesize > a.size()) return error = "truncated data of " + e.name, false;
        e.data = a.substr(p, e.filesize);
        p += e.filesize;
        for (; p % 4; p++)
            if (p >= a.size() || a[p] != '\0') return error = "bad data padding after " + e.name, false;
        out.push_back(e);
        o = p;
        if (e.name == "TRAILER!!!") break;
    }
    if (o != a.size()) return error = "bytes after the trailer", false;
    return true;
}

constexpr unsigned S_DIR = 0040000, S_REG = 0100000;

class Mkinitramfs : public ::testing::Test {
  protected:
    void SetUp() override {
        char tmpl[] = "/tmp/sysgate-mkinitramfs-XXXXXX";
        ASSERT_NE(mkdtemp(tmpl), nullptr);
        dir = tmpl;
        archive = dir / "out.cpio";
    }
    void TearDown() override {
        std::error_code ec;
        fs::remove_all(dir, ec);
    }
    Result make(const std::vector<std::string>& args) {
        std::string cmd = python() + " " + quote(source_dir() + "/scripts/mkinitramfs") + " " + quote(archive);
        for (const std::string& a : args) cmd += " " + quote(a);
        return run(cmd);
    }
    // Builds and parses; fails the test on any format error.
    std::vector<Entry> build(const std::vector<std::string>& args) {
        const Result r = make(args);
        EXPECT_EQ(r.status, 0) << r.output;
        std::vector<Entry> entries;
        std::string error;
        EXPECT_TRUE(parse_newc(read_file(archive), entries, error)) << error;
        return entries;
    }
    fs::path host(const std::string& name, const std::string& data, bool executable = false) {
        const fs::path p = dir / "host" / name;
        write_file(p, data, executable ? fs::perms(0755) : fs::perms(0644));
        return p;
    }
    static std::map<std::string, Entry> by_name(const std::vector<Entry>& entries) {
        std::map<std::string, Entry> m;
        for (const Entry& e : entries) {
            EXPECT_EQ(m.count(e.name), 0u) << "duplicate entry " << e.name;
            m[e.name] = e;
        }
        return m;
    }
    fs::path dir, archive;
};

TEST_F(Mkinitramfs, EmptyArchiveIsJustTheTrailer) {
    const std::vector<Entry> entries = build({});
    ASSERT_EQ(entries.size(), 1u);
    EXPECT_EQ(entries[0].name, "TRAILER!!!");
    EXPECT_EQ(entries[0].filesize, 0u);
    EXPECT_EQ(entries[0].namesize, 11u);
    // 110 + 11 = 121 -> padded to 124.
    EXPECT_EQ(read_file(archive).size(), 124u);
}

TEST_F(Mkinitramfs, FilesDirectoriesModesAndContents) {
    const std::string script = "#!/bin/sh\necho hi\n";
    const auto hello = host("hello", script, true);
    const auto motd = host("motd", "welcome\n");
    const auto empty = host("empty", "");
    const auto deep = host("deep", "x", true);
    const std::vector<Entry> entries = build({hello.string() + ":/bin/hello", motd.string() + ":/etc/motd",
                                              empty.string() + ":/empty", deep.string() + ":/usr/lib/x/y"});
    ASSERT_FALSE(entries.empty());
    auto m = by_name(entries);
    EXPECT_EQ(entries.back().name, "TRAILER!!!");
    const std::set<std::string> names = [&] {
        std::set<std::string> s;
        for (const Entry& e : entries) s.insert(e.name);
        return s;
    }();
    EXPECT_EQ(names, (std::set<std::string>{"bin", "etc", "usr", "usr/lib", "usr/lib/x", "bin/hello", "etc/motd",
                                            "empty", "usr/lib/x/y", "TRAILER!!!"}));

    for (const char* d : {"bin", "etc", "usr", "usr/lib", "usr/lib/x"}) {
        const Entry& e = m[d];
        EXPECT_EQ(e.mode, S_DIR | 0755) << d;
        EXPECT_EQ(e.filesize, 0u) << d;
        EXPECT_EQ(e.nlink, 2u) << d;
    }
    EXPECT_EQ(m["bin/hello"].mode, S_REG | 0755);
    EXPECT_EQ(m["bin/hello"].data, script);
    EXPECT_EQ(m["bin/hello"].filesize, script.size());
    EXPECT_EQ(m["etc/motd"].mode, S_REG | 0644);
    EXPECT_EQ(m["etc/motd"].data, "welcome\n");
    EXPECT_EQ(m["empty"].filesize, 0u);
    EXPECT_EQ(m["empty"].mode, S_REG | 0644);
    EXPECT_EQ(m["usr/lib/x/y"].mode, S_REG | 0755);
    EXPECT_EQ(m["usr/lib/x/y"].data, "x");

    for (const Entry& e : entries) {
        EXPECT_EQ(e.namesize, e.name.size() + 1) << e.name;
        EXPECT_EQ(e.uid, 0u) << e.name;
        EXPECT_EQ(e.gid, 0u) << e.name;
        EXPECT_EQ(e.mtime, 0u) << e.name; // reproducible
        EXPECT_EQ(e.check, 0u) << e.name; // newc, not crc
        EXPECT_NE(e.name.front(), '/') << "names are relative";
    }
}

TEST_F(Mkinitramfs, ParentsComeBeforeChildren) {
    const auto a = host("a", "a");
    const auto b = host("b", "b");
    const std::vector<Entry> entries =
        build({a.string() + ":/z/y/x/file", b.string() + ":/a/file", a.string() + ":/z/top"});
    std::set<std::string> seen;
    for (const Entry& e : entries) {
        const auto slash = e.name.rfind('/');
        if (slash != std::string::npos) {
            EXPECT_TRUE(seen.count(e.name.substr(0, slash))) << e.name << " before its directory";
        }
        seen.insert(e.name);
    }
}

TEST_F(Mkinitramfs, InodesAreUnique) {
    const auto a = host("a", "a");
    const std::vector<Entry> entries = build({a.string() + ":/bin/a", a.string() + ":/bin/b", a.string() + ":/sbin/c"});
    std::set<unsigned> inos;
    for (const Entry& e : entries) {
        if (e.name == "TRAILER!!!") continue;
        EXPECT_NE(e.ino, 0u) << e.name;
        EXPECT_TRUE(inos.insert(e.ino).second) << "inode " << e.ino << " reused by " << e.name;
    }
    EXPECT_EQ(inos.size(), 5u); // bin, sbin, and three files
}

TEST_F(Mkinitramfs, PaddingForEveryLength) {
    // Names and data of every length modulo 4.
    std::vector<std::string> args;
    std::map<std::string, std::string> expect;
    for (int n = 0; n < 9; n++) {
        const std::string name = "/" + std::string(size_t(n + 1), char('a' + n));
        const std::string data(size_t(n), char('0' + n));
        args.push_back(host("f" + std::to_string(n), data).string() + ":" + name);
        expect[name.substr(1)] = data;
    }
    const std::vector<Entry> entries = build(args);
    ASSERT_EQ(entries.size(), 10u);
    // parse_newc checked every padding; the contents come back intact.
    for (const Entry& e : entries) {
        if (e.name != "TRAILER!!!") {
            EXPECT_EQ(e.data, expect[e.name]) << e.name;
        }
    }
}

TEST_F(Mkinitramfs, LaterEntryReplacesEarlierOne) {
    const auto first = host("first", "old contents");
    const auto second = host("second", "new", true);
    const std::vector<Entry> entries =
        build({first.string() + ":/bin/prog", second.string() + ":/bin/prog", first.string() + ":/bin/other"});
    auto m = by_name(entries);
    EXPECT_EQ(m["bin/prog"].data, "new");
    EXPECT_EQ(m["bin/prog"].mode, S_REG | 0755);
    EXPECT_EQ(m["bin/other"].data, "old contents");
    EXPECT_EQ(entries.size(), 4u); // bin, bin/other, bin/prog, trailer
    // Different spellings of one guest path are one path.
    const std::vector<Entry> again = build({first.string() + ":/bin//prog", second.string() + ":/bin/./prog"});
    EXPECT_EQ(by_name(again)["bin/prog"].data, "new");
    EXPECT_EQ(again.size(), 3u);
}

TEST_F(Mkinitramfs, WholeDirectories) {
    host("tree/bin/sh", "shell", true);
    host("tree/bin/ls", "list", true);
    host("tree/etc/conf/app.conf", "k=v\n");
    const std::vector<Entry> entries = build({"--dir", (dir / "host" / "tree").string() + ":/"});
    auto m = by_name(entries);
    EXPECT_EQ(m["bin/sh"].data, "shell");
    EXPECT_EQ(m["bin/sh"].mode, S_REG | 0755);
    EXPECT_EQ(m["bin/ls"].data, "list");
    EXPECT_EQ(m["etc/conf/app.conf"].data, "k=v\n");
    EXPECT_EQ(m["etc/conf/app.conf"].mode, S_REG | 0644);
    EXPECT_EQ(m["etc"].mode, S_DIR | 0755);
    EXPECT_EQ(m["etc/conf"].mode, S_DIR | 0755);
    EXPECT_EQ(entries.size(), 3u + 3u + 1u);
    // Into a subdirectory of the guest.
    const std::vector<Entry> sub = build({"--dir", (dir / "host" / "tree").string() + ":/opt/t"});
    auto s = by_name(sub);
    EXPECT_EQ(s["opt/t/bin/sh"].data, "shell");
    EXPECT_EQ(s["opt"].mode, S_DIR | 0755);
    EXPECT_EQ(s["opt/t"].mode, S_DIR | 0755);
}

TEST_F(Mkinitramfs, Reproducible) {
    const auto a = host("a", "aaaa", true);
    const auto b = host("b", "b");
    ASSERT_EQ(make({a.string() + ":/x/a", b.string() + ":/b"}).status, 0);
    const std::string first = read_file(archive);
    fs::last_write_time(a, fs::file_time_type::clock::now() - std::chrono::hours(5)); // timestamps do not matter
    ASSERT_EQ(make({a.string() + ":/x/a", b.string() + ":/b"}).status, 0);
    EXPECT_EQ(read_file(archive), first);
    // Argument order only matters for replacements.
    ASSERT_EQ(make({b.string() + ":/b", a.string() + ":/x/a"}).status, 0);
    EXPECT_EQ(read_file(archive), first);
}

TEST_F(Mkinitramfs, BadArguments) {
    const auto a = host("a", "a");
    struct Case {
        std::vector<std::string> args;
        const char* why;
    } cases[] = {
        {{a.string() + ":bin/a"}, "absolute"},
        {{(dir / "missing").string() + ":/a"}, "no such file"},
        {{a.string()}, "HOST_PATH:GUEST_PATH"},
        {{"--dir"}, "--dir needs"},
        {{"--dir", a.string() + ":/d"}, "not a directory"},
        {{(dir / "host").string() + ":/d"}, "no such file"}, // a directory without --dir
    };
    for (const Case& c : cases) {
        const Result r = make(c.args);
        EXPECT_EQ(r.status, 1) << c.why << ": " << r.output;
        EXPECT_NE(r.output.find(c.why), std::string::npos) << r.output;
        EXPECT_EQ(r.output.find("Traceback"), std::string::npos) << r.output;
    }
    const Result usage = run(python() + " " + quote(source_dir() + "/scripts/mkinitramfs"));
    EXPECT_EQ(usage.status, 1);
    EXPECT_NE(usage.output.find("usage"), std::string::npos) << usage.output;
}

TEST_F(Mkinitramfs, TheReaderRejectsBrokenArchives) {
    // The reader above must be able to fail, or the tests prove nothing.
    const auto a = host("a", "abcde");
    ASSERT_EQ(make({a.string() + ":/a"}).status, 0);
    const std::string good = read_file(archive);
    std::vector<Entry> e;
    std::string error;
    ASSERT_TRUE(parse_newc(good, e, error)) << error;
    std::string bad = good;
    bad[3] = '2'; // magic 070201
    e.clear();
    EXPECT_FALSE(parse_newc(bad, e, error));
    bad = good.substr(0, good.size() - 4); // cut the trailer's padding
    e.clear();
    EXPECT_FALSE(parse_newc(bad, e, error));
    bad = good + std::string(4, '\0');
    e.clear();
    EXPECT_FALSE(parse_newc(bad, e, error));
    bad = good;
    bad[6 + 8 * 6] = 'g'; // filesize field not hex
    e.clear();
    EXPECT_FALSE(parse_newc(bad, e, error));
}

TEST_F(Mkinitramfs, SystemCpioAgrees) {
    if (run("command -v cpio").status != 0) GTEST_SKIP() << "no cpio on this machine";
    const auto hello = host("hello", "#!/bin/sh\n", true);
    const auto motd = host("motd", "hi\n");
    ASSERT_EQ(make({hello.string() + ":/bin/hello", motd.string() + ":/etc/motd"}).status, 0);
    const fs::path extract = dir / "extract";
    fs::create_directories(extract);
    const Result r = run("cd " + quote(extract) + " && cpio -idm --quiet < " + quote(archive));
    ASSERT_EQ(r.status, 0) << r.output;
    EXPECT_EQ(read_file(extract / "bin/hello"), "#!/bin/sh\n");
    EXPECT_EQ(read_file(extract / "etc/motd"), "hi\n");
    EXPECT_EQ(fs::status(extract / "bin/hello").permissions() & fs::perms::all, fs::perms(0755));
    EXPECT_EQ(fs::status(extract / "etc/motd").permissions() & fs::perms::all, fs::perms(0644));
    EXPECT_TRUE(fs::is_directory(extract / "bin"));
}

} // namespace
