// Secret collection by Airflow's rules and the masking scan.
#include "common/secret_masker.hpp"

#include <algorithm>
#include <cctype>
#include <set>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

namespace leoflow {

namespace bj = boost::json;

namespace {

std::string lower(std::string_view text) {
  std::string out(text);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// The text between the quotes of its JSON form (how a repr or a structured
// log line shows a secret with quotes, backslashes or newlines).
std::string json_escaped(const std::string& s) {
  auto quoted = bj::serialize(bj::string(s));
  return quoted.substr(1, quoted.size() - 2);
}

std::string percent_encoded(const std::string& s) {
  static constexpr char hex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

// As Python's unquote (userinfo) or unquote_plus (query), which Airflow uses.
std::string percent_decoded(std::string_view s, bool plus_is_space) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && std::isxdigit(static_cast<unsigned char>(s[i + 1])) &&
        std::isxdigit(static_cast<unsigned char>(s[i + 2]))) {
      out += static_cast<char>(std::stoi(std::string(s.substr(i + 1, 2)), nullptr, 16));
      i += 2;
    } else if (plus_is_space && s[i] == '+') {
      out += ' ';
    } else {
      out += s[i];
    }
  }
  return out;
}

void all_leaves(const bj::value& v, std::vector<std::string>& out) {
  if (v.is_string()) {
    out.emplace_back(v.get_string());
  } else if (v.is_int64() || v.is_uint64() || v.is_double()) {
    out.push_back(bj::serialize(v));
  } else if (v.is_object()) {
    for (const auto& [k, x] : v.get_object()) all_leaves(x, out);
  } else if (v.is_array()) {
    for (const auto& x : v.get_array()) all_leaves(x, out);
  }
}

// The values under sensitive keys, at any depth.
void sensitive_leaves(const bj::value& v, std::vector<std::string>& out) {
  if (v.is_object()) {
    for (const auto& [k, x] : v.get_object()) {
      if (is_sensitive_name(k))
        all_leaves(x, out);
      else
        sensitive_leaves(x, out);
    }
  } else if (v.is_array()) {
    for (const auto& x : v.get_array()) sensitive_leaves(x, out);
  }
}

void json_secrets(std::string_view text, std::vector<std::string>& out) {
  boost::system::error_code ec;
  auto v = bj::parse(text, ec);
  if (!ec) sensitive_leaves(v, out);
}

bj::value redact_all(const bj::value& v) {
  if (v.is_object()) {
    bj::object o;
    for (const auto& [k, x] : v.get_object()) o[k] = redact_all(x);
    return o;
  }
  if (v.is_array()) {
    bj::array a;
    for (const auto& x : v.get_array()) a.push_back(redact_all(x));
    return a;
  }
  if (v.is_null()) return nullptr;
  return bj::string(secret_mask);
}

// AIRFLOW_CONN_<ID>: a URI (scheme://login:password@host:port/schema?extra)
// or, since Airflow 2.3, a JSON object.
void connection_uri_secrets(std::string_view value, std::vector<std::string>& out) {
  if (!value.empty() && value.front() == '{') {
    boost::system::error_code ec;
    auto v = bj::parse(value, ec);
    if (ec || !v.is_object()) return;
    const auto& o = v.get_object();
    if (const auto* p = o.if_contains("password"); p && p->is_string()) out.emplace_back(p->get_string());
    if (const auto* e = o.if_contains("extra")) {
      if (e->is_string())
        json_secrets(e->get_string(), out);
      else
        sensitive_leaves(*e, out);
    }
    return;
  }
  const auto scheme = value.find("://");
  if (scheme == std::string_view::npos) return;
  auto rest = value.substr(scheme + 3);
  const auto query = rest.find('?');
  const auto authority_end = std::min(rest.find('/'), query);
  const auto authority = rest.substr(0, authority_end);
  if (const auto at = authority.rfind('@'); at != std::string_view::npos) {
    const auto user_info = authority.substr(0, at);
    if (const auto colon = user_info.find(':'); colon != std::string_view::npos)
      out.push_back(percent_decoded(user_info.substr(colon + 1), false));
  }
  if (query == std::string_view::npos) return;
  auto params = rest.substr(query + 1);
  while (!params.empty()) {
    const auto amp = params.find('&');
    const auto pair = params.substr(0, amp);
    params = amp == std::string_view::npos ? std::string_view{} : params.substr(amp + 1);
    const auto eq = pair.find('=');
    if (eq == std::string_view::npos) continue;
    const auto key = percent_decoded(pair.substr(0, eq), true);
    const auto val = percent_decoded(pair.substr(eq + 1), true);
    if (key == "__extra__")
      json_secrets(val, out);
    else if (is_sensitive_name(key))
      out.push_back(val);
  }
}

void variable_secrets(const std::string& key, const std::string& value, std::vector<std::string>& out) {
  if (is_sensitive_name(key)) {
    out.push_back(value);
    boost::system::error_code ec;
    auto v = bj::parse(value, ec);
    if (!ec) all_leaves(v, out);
  } else {
    json_secrets(value, out);
  }
}

}  // namespace

bool is_sensitive_name(std::string_view key) {
  static constexpr std::string_view names[] = {"access_token", "api_key", "apikey", "authorization", "passphrase",
                                               "passwd", "password", "private_key", "secret", "token"};
  const auto k = lower(key);
  for (auto n : names)
    if (k.find(n) != std::string::npos) return true;
  return false;
}

secret_masker::secret_masker(const std::vector<std::string>& secrets) {
  std::set<std::string> unique;
  auto add = [&](std::string s) {
    if (s.size() >= min_masked_length) unique.insert(std::move(s));
  };
  for (const auto& s : secrets) {
    if (s.size() < min_masked_length) continue;
    add(s);
    add(json_escaped(s));
    add(percent_encoded(s));
    if (s.find('\n') != std::string::npos) {
      std::size_t start = 0;
      while (start <= s.size()) {
        auto nl = s.find('\n', start);
        if (nl == std::string::npos) nl = s.size();
        auto line = s.substr(start, nl - start);
        if (!line.empty() && line.back() == '\r') line.pop_back();
        add(line);
        start = nl + 1;
      }
    }
  }
  patterns_.assign(unique.begin(), unique.end());
  std::stable_sort(patterns_.begin(), patterns_.end(), [](const auto& a, const auto& b) { return a.size() > b.size(); });
  longest_ = patterns_.empty() ? 0 : patterns_.front().size();
}

std::string secret_masker::mask(std::string_view text) const {
  if (patterns_.empty()) return std::string(text);
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) {
    bool hit = false;
    for (const auto& p : patterns_) {
      if (p.size() <= text.size() - i && text.compare(i, p.size(), p) == 0) {
        out += secret_mask;
        i += p.size();
        hit = true;
        break;
      }
    }
    if (!hit) out += text[i++];
  }
  return out;
}

std::pair<std::string, std::size_t> secret_masker::mask_prefix(std::string_view text) const {
  std::string out;
  out.reserve(text.size());
  std::size_t i = 0;
  while (i < text.size()) {
    bool hit = false;
    bool partial = false;
    for (const auto& p : patterns_) {
      const auto left = text.size() - i;
      if (p.size() <= left) {
        if (text.compare(i, p.size(), p) == 0) {
          out += secret_mask;
          i += p.size();
          hit = true;
          break;
        }
      } else if (text.compare(i, left, p, 0, left) == 0) {
        partial = true;  // the rest may complete it
      }
    }
    if (hit) continue;
    if (partial) break;
    out += text[i++];
  }
  return {std::move(out), i};
}

bj::value secret_masker::mask_json(const bj::value& v) const {
  if (v.is_string()) return bj::string(mask(v.get_string()));
  if (v.is_object()) {
    bj::object o;
    for (const auto& [k, x] : v.get_object()) o[k] = is_sensitive_name(k) ? redact_all(x) : mask_json(x);
    return o;
  }
  if (v.is_array()) {
    bj::array a;
    for (const auto& x : v.get_array()) a.push_back(mask_json(x));
    return a;
  }
  return v;
}

std::optional<std::string> redact_sensitive_keys(std::string_view json_text) {
  boost::system::error_code ec;
  auto v = bj::parse(json_text, ec);
  if (ec || !(v.is_object() || v.is_array())) return std::nullopt;
  std::vector<std::string> found;
  sensitive_leaves(v, found);
  bool any = !found.empty();
  // A sensitive key holding null or {} still says nothing; only values count.
  if (!any) return std::nullopt;
  return bj::serialize(secret_masker().mask_json(v));
}

std::vector<std::string> collect_secrets(const secret_sources& sources) {
  std::vector<std::string> out;
  for (const auto& c : sources.connections) {
    if (!c.password.empty()) out.push_back(c.password);
    if (!c.extra.empty()) json_secrets(c.extra, out);
  }
  for (const auto& [key, value] : sources.variables) variable_secrets(key, value, out);
  return out;
}

std::vector<std::string> environment_secrets(const std::vector<std::string>& env) {
  std::vector<std::string> out;
  for (const auto& e : env) {
    const auto eq = e.find('=');
    if (eq == std::string::npos) continue;
    const std::string_view key(e.data(), eq);
    const std::string value = e.substr(eq + 1);
    if (key.starts_with("AIRFLOW_CONN_"))
      connection_uri_secrets(value, out);
    else if (key.starts_with("AIRFLOW_VAR_"))
      variable_secrets(std::string(key.substr(12)), value, out);
  }
  return out;
}

secret_registry::secret_registry(std::vector<std::string> environment_secrets)
    : environment_(std::move(environment_secrets)),
      current_(std::make_shared<const secret_masker>(environment_)) {}

std::shared_ptr<const secret_masker> secret_registry::current() const {
  std::lock_guard lock(mutex_);
  return current_;
}

std::shared_ptr<const secret_masker> secret_registry::update(const secret_sources& sources) {
  auto secrets = collect_secrets(sources);
  std::lock_guard lock(mutex_);
  secrets.insert(secrets.end(), environment_.begin(), environment_.end());
  current_ = std::make_shared<const secret_masker>(secrets);
  return current_;
}

void secret_registry::on_changed(std::function<void()> refresh) {
  std::lock_guard lock(mutex_);
  refresh_ = std::move(refresh);
}

void secret_registry::changed() {
  std::function<void()> refresh;
  {
    std::lock_guard lock(mutex_);
    refresh = refresh_;
  }
  if (refresh) refresh();
}

}  // namespace leoflow
