// Hiding secrets where Lite shows text it did not write itself (task logs,
// rendered fields, XCom in the API, import errors), with Airflow's rules:
// connection passwords, the values of connection extras and variables whose
// key names something sensitive, and the values under such keys inside JSON.
// Each occurrence becomes "***". The task itself still gets the real value.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/json/value.hpp>

namespace leoflow {

inline constexpr std::string_view secret_mask = "***";

// Airflow's sensitive field names, matched case-insensitively anywhere in a
// key: access_token, api_key, apikey, authorization, passphrase, passwd,
// password, private_key, secret, token.
bool is_sensitive_name(std::string_view key);

// A JSON text with every value under a sensitive key replaced by "***"
// (connection extras and variables in the API, as Airflow redacts them);
// nullopt when it is not JSON or has no such key.
std::optional<std::string> redact_sensitive_keys(std::string_view json_text);

// Shorter secrets are not masked: as in Airflow (min_length_masked_secret),
// masking "abc" would garble every log that contains those letters.
inline constexpr std::size_t min_masked_length = 5;

class secret_masker {
 public:
  secret_masker() = default;
  // Each secret is masked as it is, JSON-escaped (reprs and tracebacks),
  // percent-encoded (URIs), and line by line when it spans lines.
  explicit secret_masker(const std::vector<std::string>& secrets);

  bool empty() const { return patterns_.empty(); }
  // The longest text that is masked (for cutting a stream safely).
  std::size_t longest() const { return longest_; }

  std::string mask(std::string_view text) const;
  // Every string masked; values under sensitive keys replaced whole.
  boost::json::value mask_json(const boost::json::value& v) const;

  // The start of a stream's text, masked, for a stream that must be cut
  // before its line ends: complete occurrences are masked whole, and the cut
  // stops before a possible occurrence the text ends in the middle of.
  // Returns the masked text and how many bytes of `text` it covers.
  std::pair<std::string, std::size_t> mask_prefix(std::string_view text) const;

 private:
  std::vector<std::string> patterns_;  // longest first
  std::size_t longest_ = 0;
};

// The secrets of Lite's connections and variables, by Airflow's rules.
struct secret_sources {
  struct connection {
    std::string password;
    std::string extra;  // JSON object text, or empty
  };
  std::vector<connection> connections;
  std::vector<std::pair<std::string, std::string>> variables;  // key, value
};
std::vector<std::string> collect_secrets(const secret_sources& sources);

// The same for AIRFLOW_CONN_<ID> (URI or JSON) and AIRFLOW_VAR_<KEY>
// variables of an environment (KEY=VALUE strings).
std::vector<std::string> environment_secrets(const std::vector<std::string>& env);

// The masker everyone uses now: rebuilt from the store when connections or
// variables change, plus the secrets of the server's environment. Readers
// take a snapshot. Thread-safe.
class secret_registry {
 public:
  explicit secret_registry(std::vector<std::string> environment_secrets = {});

  std::shared_ptr<const secret_masker> current() const;
  // New store contents; returns the masker built from them.
  std::shared_ptr<const secret_masker> update(const secret_sources& sources);

  // Who rebuilds from the store when told that something changed.
  void on_changed(std::function<void()> refresh);
  // Connections or variables were written: rebuild (asynchronously).
  void changed();

 private:
  mutable std::mutex mutex_;
  std::vector<std::string> environment_;
  std::shared_ptr<const secret_masker> current_;
  std::function<void()> refresh_;
};

}  // namespace leoflow
