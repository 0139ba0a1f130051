// `tg4 config check|show|docs` as a process: exit codes 0 and 2, every error with file, line and
// key, secrets masked in `show`, command-line overrides applied, docs equal to docs/CONFIG.md.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "cli_process.hpp"

extern char** environ;

namespace {

namespace fs = std::filesystem;

struct ConfigOutcome {
  int code = -1;
  std::string out;
  std::string err;
};

std::string slurp(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

class ConfigCli : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("tg4_config_cli_" + std::to_string(getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  fs::path write(const std::string& name, const std::string& text) {
    const fs::path path = dir_ / name;
    std::ofstream(path) << text;
    return path;
  }

  // Runs tg4 with `args`; `env` entries are added to (or, with an empty value, removed from) the
  // inherited environment.
  ConfigOutcome run(std::vector<std::string> args, const std::map<std::string, std::string>& env = {}) {
    std::map<std::string, std::string> vars;
    for (char** e = environ; *e != nullptr; ++e) {
      const std::string kv(*e);
      const auto eq = kv.find('=');
      if (eq != std::string::npos) vars[kv.substr(0, eq)] = kv.substr(eq + 1);
    }
    for (const auto& [k, v] : env) {
      if (v.empty()) {
        vars.erase(k);
      } else {
        vars[k] = v;
      }
    }
    std::vector<std::string> env_strings;
    for (const auto& [k, v] : vars) env_strings.push_back(k + "=" + v);
    std::vector<char*> envp;
    for (auto& s : env_strings) envp.push_back(s.data());
    envp.push_back(nullptr);

    const fs::path out = dir_ / "stdout", err = dir_ / "stderr";
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    posix_spawn_file_actions_addopen(&actions, 2, err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    args.insert(args.begin(), TG4_BINARY);
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    pid_t pid = 0;
    const int spawned = posix_spawn(&pid, TG4_BINARY, &actions, nullptr, argv.data(), envp.data());
    posix_spawn_file_actions_destroy(&actions);
    if (spawned != 0) throw std::runtime_error("cannot start " TG4_BINARY);

    ConfigOutcome outcome;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    int status = 0;
    while (waitpid(pid, &status, WNOHANG) == 0) {
      if (std::chrono::steady_clock::now() > deadline) {
        kill(pid, SIGKILL);
        waitpid(pid, &status, 0);
        ADD_FAILURE() << "tg4 did not exit within 30 s";
        return outcome;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(5));  // polling a child's exit
    }
    outcome.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    outcome.out = slurp(out);
    outcome.err = slurp(err);
    return outcome;
  }

  fs::path dir_;
};

const std::string kSource = TG4_SOURCE_DIR;

TEST_F(ConfigCli, CheckAcceptsTheShippedFiles) {
  const auto r = run({"config", "check", kSource + "/config/tg4.yaml"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "ok: " + kSource + "/config/tg4.yaml\n");

  const auto p =
      run({"config", "check", kSource + "/config/production.yaml"},
          {{"TG4_PG_PASSWORD", "pw"}, {"TG4_API_TOKEN_SHA256", std::string(64, 'a')}});
  EXPECT_EQ(p.code, 0) << p.err;
}

TEST_F(ConfigCli, CheckListsEveryErrorAndExits2) {
  const auto bad = write("bad.yaml",
                         "risk:\n"
                         "  max_postion_pct: 10\n"
                         "  max_leverage: many\n"
                         "feed:\n"
                         "  book_depth: 7\n");
  const auto r = run({"config", "check", bad.string()});
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(r.out, "");
  const std::string f = bad.string();
  EXPECT_NE(r.err.find(f + ":2:3: risk.max_postion_pct: unknown key; did you mean "
                           "\"risk.max_position_pct\"?"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find(f + ":3:17: risk.max_leverage: expected an integer, found \"many\""),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find(f + ":5:15: feed.book_depth:"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("3 errors in " + f), std::string::npos) << r.err;
}

TEST_F(ConfigCli, CheckReportsSyntaxMissingFilesAndEnvironment) {
  const auto syntax = run({"config", "check", write("s.yaml", "risk: [1,\n").string()});
  EXPECT_EQ(syntax.code, 2);
  EXPECT_NE(syntax.err.find("YAML syntax error"), std::string::npos) << syntax.err;

  const auto missing = run({"config", "check", (dir_ / "nope.yaml").string()});
  EXPECT_EQ(missing.code, 2);
  EXPECT_NE(missing.err.find("nope.yaml"), std::string::npos);

  const auto env =
      run({"config", "check", kSource + "/config/production.yaml"}, {{"TG4_PG_PASSWORD", ""}});
  EXPECT_EQ(env.code, 2);
  EXPECT_NE(env.err.find("storage.url: environment variable TG4_PG_PASSWORD is not set"),
            std::string::npos)
      << env.err;
}

// The schema knows only that strategy.params is a map: the registry judges names and values, so a
// typo fails here and not when paper or live start.
TEST_F(ConfigCli, CheckValidatesTheStrategyThroughTheRegistry) {
  const auto unknown = write("unknown.yaml", "strategy:\n  name: no_such_strategy\n");
  auto r = run({"config", "check", unknown.string()});
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(r.out, "");
  EXPECT_NE(r.err.find(unknown.string() +
                       ":2:3: strategy.name: unknown strategy \"no_such_strategy\" (known: "),
            std::string::npos)
      << r.err;

  const auto typo = write("typo.yaml",
                          "strategy:\n"
                          "  name: ema_cross\n"
                          "  params: {fats: 3, slow: 5000}\n");
  r = run({"config", "check", typo.string()});
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find(typo.string() + ":3:12: strategy.params.fats: strategy 'ema_cross': "
                                       "unknown parameter 'fats' (known: "),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find(typo.string() + ":3:21: strategy.params.slow: strategy 'ema_cross' "
                                       "parameter 'slow': 5000 is outside [3, 1000]"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("2 errors in " + typo.string()), std::string::npos) << r.err;

  const auto combination = write("combination.yaml",
                                 "strategy:\n"
                                 "  name: ema_cross\n"
                                 "  params:\n"
                                 "    fast: 30\n"
                                 "    slow: 20\n");
  r = run({"config", "check", combination.string()});
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find(combination.string() + ":3:3: strategy.params: "), std::string::npos)
      << r.err;

  const auto good =
      write("good.yaml", "strategy:\n  name: ema_cross\n  params: {fast: 5, slow: 13}\n");
  r = run({"config", "check", good.string()});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "ok: " + good.string() + "\n");
}

// A directory opens as a stream and reads as nothing, which used to pass for an empty file (ok).
TEST_F(ConfigCli, CheckRefusesADirectory) {
  const auto r = run({"config", "check", dir_.string()});
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find(dir_.string() + ": is a directory"), std::string::npos) << r.err;
}

TEST_F(ConfigCli, ShowMasksSecretsAndAppliesOverrides) {
  const auto r = run({"--config", kSource + "/config/production.yaml", "config", "show"},
                     {{"TG4_PG_PASSWORD", "pg-Secret-42"},
                      {"TG4_REDIS_PASSWORD", "redis-Secret-43"},
                      {"KRAKEN_API_KEY", "kraken-Secret-44"},
                      {"TG4_API_TOKEN_SHA256", std::string(64, 'e')}});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out.find("Secret-4"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("url: postgresql://tg4:***@127.0.0.1:5432/tg4"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("redis://:***@127.0.0.1:6379/0"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("api_key: \"***\""), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find(std::string(64, 'e')), std::string::npos) << "the operator token's hash is shown";
  EXPECT_NE(r.out.find("mode: paper"), std::string::npos);

  const auto o = run({"--config", kSource + "/config/tg4.yaml", "--store",
                      "sqlite:" + (dir_ / "x.db").string(), "--redis", "redis://127.0.0.1:6390",
                      "config", "show", "--metrics", "127.0.0.1:9999"});
  ASSERT_EQ(o.code, 0) << o.err;
  EXPECT_NE(o.out.find("url: sqlite:" + (dir_ / "x.db").string()), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("url: redis://127.0.0.1:6390"), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("address: 127.0.0.1:9999"), std::string::npos) << o.out;
}

// Run where there is no config/tg4.yaml: the defaults are built in, and the header said the file.
TEST_F(ConfigCli, ShowWithoutTheDefaultFileSaysBuiltInDefaults) {
  const auto r = tg4::testing::run_cli(dir_, TG4_BINARY, "config", {"show"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out.rfind("# effective configuration: built-in defaults + environment", 0), 0u)
      << r.out;
  const auto named = run({"--config", kSource + "/config/tg4.yaml", "config", "show"});
  ASSERT_EQ(named.code, 0) << named.err;
  EXPECT_EQ(named.out.rfind("# effective configuration: " + kSource + "/config/tg4.yaml + ", 0), 0u)
      << named.out;
}

TEST_F(ConfigCli, ConfigErrorsOfAnyCommandExit2) {
  const auto bad = write("bad.yaml", "rsk: {}\n");
  const auto r = run({"--config", bad.string(), "config", "show"});
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find(bad.string() + ":1:1: rsk: unknown key; did you mean \"risk\"?"),
            std::string::npos)
      << r.err;
  EXPECT_EQ(r.out, "");

  const auto named_missing = run({"--config", (dir_ / "none.yaml").string(), "config", "show"});
  EXPECT_EQ(named_missing.code, 2);
  EXPECT_NE(named_missing.err.find("none.yaml"), std::string::npos);
}

// migrate works on the store every other command would use: the config's storage.url, --store over
// it; a broken or missing named config is a usage error, with nothing migrated.
TEST_F(ConfigCli, MigrateUsesTheConfiguredStore) {
  const fs::path from_config = dir_ / "fromcfg.db";
  const auto cfg = write("m.yaml", "storage:\n  url: \"sqlite:" + from_config.string() + "\"\n");
  auto r = run({"--config", cfg.string(), "migrate"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("store sqlite:" + from_config.string()), std::string::npos) << r.out;
  EXPECT_TRUE(fs::exists(from_config));

  const fs::path overridden = dir_ / "override.db";
  r = run({"--config", cfg.string(), "--store", "sqlite:" + overridden.string(), "migrate"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("store sqlite:" + overridden.string()), std::string::npos) << r.out;
  EXPECT_TRUE(fs::exists(overridden));

  const fs::path never = dir_ / "never.db";
  const auto bad =
      write("bad.yaml", "storage:\n  url: \"sqlite:" + never.string() + "\"\nrsk: {}\n");
  r = run({"--config", bad.string(), "migrate"});
  EXPECT_EQ(r.code, 2) << r.out;
  EXPECT_NE(r.err.find("rsk: unknown key"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(never));

  r = run({"--config", (dir_ / "none.yaml").string(), "migrate"});
  EXPECT_EQ(r.code, 2) << r.out;
  EXPECT_NE(r.err.find("none.yaml"), std::string::npos) << r.err;
}

// A port out of range used to pass the check and bind modulo 65536 (70000 -> 4464): the config
// check and the HOST:PORT options refuse it (exit 2, naming the key or option) before any start.
TEST_F(ConfigCli, PortsOutOfRangeAreRefused) {
  const auto cfg = write(
      "ports.yaml", "api:\n  address: 127.0.0.1:70000\nmetrics:\n  address: 127.0.0.1:99999\n");
  auto r = run({"config", "check", cfg.string()});
  EXPECT_EQ(r.code, 2) << r.out;
  EXPECT_NE(r.err.find(cfg.string() + ":2:12: api.address: expected a string (HOST:PORT, a port "
                                      "in 0..65535 (0: any free one)), found 127.0.0.1:70000"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find(cfg.string() + ":4:12: metrics.address:"), std::string::npos) << r.err;

  r = run({"--metrics", "127.0.0.1:99999", "config", "show"});
  EXPECT_EQ(r.code, 2) << r.out;
  EXPECT_NE(r.err.find("--metrics: '127.0.0.1:99999': port '99999' is not a number in 0..65535"),
            std::string::npos)
      << r.err;

  for (const std::string api : {"127.0.0.1:65537", "127.0.0.1:abc"}) {
    r = run({"--store", "sqlite:" + (dir_ / "d.db").string(), "--metrics", "127.0.0.1:0", "demo",
             "--duration", "1", "--api", api});
    EXPECT_EQ(r.code, 2) << r.out;
    EXPECT_NE(r.err.find("--api: '" + api + "'"), std::string::npos) << r.err;
    EXPECT_EQ(r.out, "");  // refused before the simulator or the node started
  }
}

TEST_F(ConfigCli, DocsMatchTheCommittedReference) {
  const auto r = run({"config", "docs"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, slurp(kSource + "/docs/CONFIG.md"));
  const auto t = run({"config", "template"});
  ASSERT_EQ(t.code, 0) << t.err;
  const auto again = run({"config", "check", write("t.yaml", t.out).string()});
  EXPECT_EQ(again.code, 0) << again.err;
}

TEST_F(ConfigCli, UsageErrorsExit2) {
  EXPECT_EQ(run({"config"}).code, 2);
  EXPECT_EQ(run({"config", "check"}).code, 2);
  EXPECT_EQ(run({"config", "frobnicate"}).code, 2);
}

// A report that never reached stdout is a failure with the reason, not exit 0 (a full disk, a
// closed pipe): `version`, `config check` and `migrate` as the other commands' outputs.
TEST_F(ConfigCli, AFailedStdoutWriteSaysWhy) {
  if (!fs::exists("/dev/full")) GTEST_SKIP() << "no /dev/full";
  const std::string store = "sqlite:" + (dir_ / "m.db").string();
  for (const auto& [command, args, message] :
       {std::tuple{std::string("version"), std::vector<std::string>{},
                   "tg4 version: writing the version to stdout: No space left on device"},
        std::tuple{std::string("config"),
                   std::vector<std::string>{"check", kSource + "/config/tg4.yaml"},
                   "tg4 config check: writing the result to stdout: No space left on device"},
        std::tuple{"--store " + store + " migrate", std::vector<std::string>{},
                   "tg4 migrate: writing the report to stdout: No space left on device"}}) {
    const auto o = tg4::testing::run_cli(dir_, TG4_BINARY, command, args, "/dev/full");
    EXPECT_EQ(o.code, 1) << command;
    EXPECT_NE(o.err.find(message), std::string::npos) << o.err;
  }
}

}  // namespace
