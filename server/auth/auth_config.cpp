// Reading, validating and atomically writing config.yaml.
#include "server/auth/auth_config.hpp"

#include <cerrno>
#include <cmath>
#include <cstring>
#include <stdexcept>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include "common/hash.hpp"

namespace leoflow::auth {

namespace fs = std::filesystem;

namespace {

constexpr const char* header =
    "# Leoflow settings for this machine, written by `leoflow setup`.\n"
    "# It holds password hashes and the token-signing secret: keep it private\n"
    "# (mode 0600). `leoflow lite reset-password` changes a password.\n";

struct bad_key : std::runtime_error {
  using std::runtime_error::runtime_error;
};

[[noreturn]] void fail(const std::string& key, const std::string& what) {
  throw bad_key(fmt::format("{}: {}", key, what));
}

std::string scalar(const YAML::Node& n, const std::string& key) {
  if (!n.IsScalar()) fail(key, "must be a single value");
  return n.Scalar();
}

long long integer(const YAML::Node& n, const std::string& key, long long min, long long max) {
  const auto text = scalar(n, key);
  long long v = 0;
  try {
    std::size_t used = 0;
    v = std::stoll(text, &used);
    if (used != text.size()) throw std::invalid_argument(text);
  } catch (const std::exception&) {
    fail(key, fmt::format("'{}' is not a whole number", text));
  }
  if (v < min || v > max) fail(key, fmt::format("{} is outside {}..{}", v, min, max));
  return v;
}

std::chrono::milliseconds seconds_value(const YAML::Node& n, const std::string& key) {
  const auto text = scalar(n, key);
  double v = 0;
  try {
    std::size_t used = 0;
    v = std::stod(text, &used);
    if (used != text.size()) throw std::invalid_argument(text);
  } catch (const std::exception&) {
    fail(key, fmt::format("'{}' is not a number of seconds", text));
  }
  if (!std::isfinite(v) || v < 0 || v > 86400) fail(key, fmt::format("{} is outside 0..86400 seconds", text));
  return std::chrono::milliseconds(static_cast<long long>(std::llround(v * 1000)));
}

bool valid_username(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  for (char c : name)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.' || c == '@'))
      return false;
  return true;
}

bool is_hex(std::string_view s) {
  for (char c : s)
    if (!std::isxdigit(static_cast<unsigned char>(c))) return false;
  return true;
}

void check_known(const YAML::Node& map, const std::string& prefix,
                 std::initializer_list<std::string_view> known) {
  for (const auto& kv : map) {
    const auto k = kv.first.as<std::string>();
    bool ok = false;
    for (auto name : known) ok = ok || k == name;
    if (!ok) fail(prefix + k, "unknown key");
  }
}

auth_config parse(const YAML::Node& root) {
  auth_config cfg;
  if (!root || root.IsNull()) return cfg;
  if (!root.IsMap()) fail("(top level)", "must be a mapping of keys to values");
  if (auto w = root["workspace"]; w && !w.IsNull()) cfg.workspace = scalar(w, "workspace");
  const auto a = root["auth"];
  if (!a || a.IsNull()) return cfg;
  if (!a.IsMap()) fail("auth", "must be a mapping");
  check_known(a, "auth.", {"secret_key", "token_ttl", "users", "login_throttle"});
  if (auto s = a["secret_key"]; s && !s.IsNull()) {
    cfg.secret_key = scalar(s, "auth.secret_key");
    if (cfg.secret_key.size() != 64 || !is_hex(cfg.secret_key))
      fail("auth.secret_key", "must be 64 hex digits (run `leoflow setup --rotate-secret`)");
  }
  if (auto t = a["token_ttl"]; t && !t.IsNull())
    cfg.token_ttl = std::chrono::seconds(integer(t, "auth.token_ttl", 1, 30LL * 86400));
  if (auto users = a["users"]; users && !users.IsNull()) {
    if (!users.IsMap()) fail("auth.users", "must map user names to their settings");
    for (const auto& kv : users) {
      const auto name = kv.first.as<std::string>();
      const std::string key = "auth.users." + name;
      if (!valid_username(name)) fail(key, "a user name holds 1-64 letters, digits, '_', '-', '.', '@'");
      if (!kv.second.IsMap()) fail(key, "must be a mapping with role and password_hash");
      check_known(kv.second, key + ".", {"role", "password_hash", "generation"});
      user_entry u;
      if (auto r = kv.second["role"]; r && !r.IsNull()) {
        auto parsed = parse_role(scalar(r, key + ".role"));
        if (!parsed) fail(key + ".role", "must be admin or viewer");
        u.user_role = *parsed;
      }
      auto h = kv.second["password_hash"];
      if (!h || h.IsNull()) fail(key + ".password_hash", "is missing (run `leoflow lite reset-password`)");
      u.password_hash = scalar(h, key + ".password_hash");
      if (u.password_hash.rfind("$argon2", 0) != 0)
        fail(key + ".password_hash", "is not an argon2 hash (run `leoflow lite reset-password`)");
      if (auto g = kv.second["generation"]; g && !g.IsNull())
        u.generation = integer(g, key + ".generation", 1, 1LL << 53);
      cfg.users.emplace(name, std::move(u));
    }
  }
  if (auto th = a["login_throttle"]; th && !th.IsNull()) {
    if (!th.IsMap()) fail("auth.login_throttle", "must be a mapping");
    check_known(th, "auth.login_throttle.", {"free_attempts", "base_delay", "max_delay"});
    if (auto f = th["free_attempts"]; f && !f.IsNull())
      cfg.throttle.free_attempts = static_cast<int>(integer(f, "auth.login_throttle.free_attempts", 0, 1000));
    if (auto b = th["base_delay"]; b && !b.IsNull())
      cfg.throttle.base_delay = seconds_value(b, "auth.login_throttle.base_delay");
    if (auto m = th["max_delay"]; m && !m.IsNull())
      cfg.throttle.max_delay = seconds_value(m, "auth.login_throttle.max_delay");
    if (cfg.throttle.max_delay < cfg.throttle.base_delay)
      fail("auth.login_throttle.max_delay", "is smaller than base_delay");
  }
  if (!cfg.users.empty() && cfg.secret_key.empty())
    fail("auth.secret_key", "is missing (run `leoflow setup` to create one)");
  return cfg;
}

std::string format_seconds(std::chrono::milliseconds ms) {
  if (ms.count() % 1000 == 0) return std::to_string(ms.count() / 1000);
  return fmt::format("{:.3f}", static_cast<double>(ms.count()) / 1000.0);
}

}  // namespace

std::string_view role_name(role r) { return r == role::admin ? "admin" : "viewer"; }

std::optional<role> parse_role(std::string_view text) {
  if (text == "admin") return role::admin;
  if (text == "viewer") return role::viewer;
  return std::nullopt;
}

bool auth_config::has_admin() const {
  for (const auto& [name, u] : users)
    if (u.user_role == role::admin) return true;
  return false;
}

std::optional<std::string> auth_config::sole_admin() const {
  std::optional<std::string> found;
  for (const auto& [name, u] : users) {
    if (u.user_role != role::admin) continue;
    if (found) return std::nullopt;
    found = name;
  }
  return found;
}

std::variant<std::optional<auth_config>, config_problem> read_auth_config(const fs::path& file) {
  std::error_code ec;
  if (!fs::exists(file, ec)) return std::optional<auth_config>{};
  try {
    const auto root = YAML::LoadFile(file.string());
    return std::optional<auth_config>(parse(root));
  } catch (const bad_key& e) {
    return config_problem{fmt::format("{}: {}", file.string(), e.what())};
  } catch (const YAML::Exception& e) {
    return config_problem{fmt::format("{}: {}", file.string(), e.what())};
  }
}

void write_auth_config(const fs::path& file, const auth_config& config) {
  YAML::Node root;
  std::error_code ec;
  if (fs::exists(file, ec)) {
    try {
      root = YAML::LoadFile(file.string());
    } catch (const YAML::Exception&) {
      root = YAML::Node();  // unreadable: rewritten from what we know
    }
    if (!root.IsMap()) root = YAML::Node(YAML::NodeType::Map);
  }
  if (config.workspace)
    root["workspace"] = *config.workspace;
  else if (root.IsMap() && root["workspace"])
    root.remove("workspace");

  YAML::Node a(YAML::NodeType::Map);
  a["secret_key"] = config.secret_key;
  a["token_ttl"] = static_cast<long long>(config.token_ttl.count());
  YAML::Node users(YAML::NodeType::Map);
  for (const auto& [name, u] : config.users) {
    YAML::Node entry(YAML::NodeType::Map);
    entry["role"] = std::string(role_name(u.user_role));
    entry["password_hash"] = u.password_hash;
    entry["generation"] = u.generation;
    users[name] = entry;
  }
  a["users"] = users;
  YAML::Node throttle(YAML::NodeType::Map);
  throttle["free_attempts"] = config.throttle.free_attempts;
  throttle["base_delay"] = format_seconds(config.throttle.base_delay);
  throttle["max_delay"] = format_seconds(config.throttle.max_delay);
  a["login_throttle"] = throttle;
  root["auth"] = a;

  YAML::Emitter emitter;
  emitter << root;
  const std::string text = std::string(header) + emitter.c_str() + "\n";

  const fs::path dir = file.parent_path().empty() ? fs::path(".") : file.parent_path();
  if (!fs::exists(dir, ec)) {
    fs::create_directories(dir, ec);
    if (ec) throw std::runtime_error(fmt::format("cannot create {}: {}", dir.string(), ec.message()));
    ::chmod(dir.c_str(), 0700);
  }
  std::string temp = (dir / (file.filename().string() + ".tmp-XXXXXX")).string();
  const int fd = ::mkstemp(temp.data());  // created with mode 0600
  if (fd < 0) throw std::runtime_error(fmt::format("cannot write in {}: {}", dir.string(), std::strerror(errno)));
  auto cleanup = [&](const std::string& what) {
    const int saved = errno;
    ::close(fd);
    ::unlink(temp.c_str());
    throw std::runtime_error(fmt::format("{} {}: {}", what, temp, std::strerror(saved)));
  };
  if (::fchmod(fd, 0600) != 0) cleanup("cannot set the mode of");
  std::size_t written = 0;
  while (written < text.size()) {
    const auto n = ::write(fd, text.data() + written, text.size() - written);
    if (n < 0) {
      if (errno == EINTR) continue;
      cleanup("cannot write");
    }
    written += static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0) cleanup("cannot flush");
  ::close(fd);
  if (::rename(temp.c_str(), file.c_str()) != 0) {
    const int saved = errno;
    ::unlink(temp.c_str());
    throw std::runtime_error(fmt::format("cannot replace {}: {}", file.string(), std::strerror(saved)));
  }
  if (const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY); dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
}

std::string new_secret_key() { return random_hex(32); }

}  // namespace leoflow::auth
