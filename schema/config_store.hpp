// SOCI repository for Airflow Variables and Connections (what tasks read
// through Variable.get and BaseHook.get_connection, and what the API edits),
// and the sign-out deny-list of tokens.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <soci/session.h>

#include "schema/dag_store.hpp"

namespace leoflow::schema {

struct variable_record {
  std::int64_t id = 0;
  std::string key;
  opt_string value;
  opt_string description;
};

struct connection_record {
  std::int64_t id = 0;
  std::string conn_id;
  std::string conn_type;
  opt_string description, host, schema_name, login, password, extra;
  std::optional<long long> port;
};

std::vector<variable_record> list_variables(soci::session& s, const opt_string& key_pattern,
                                            const std::vector<std::string>& order_by, long long limit,
                                            long long offset, long long* total);
std::optional<variable_record> find_variable(soci::session& s, const std::string& key);
// Inserts or replaces.
void put_variable(soci::session& s, const std::string& key, const opt_string& value,
                  const opt_string& description);
bool delete_variable(soci::session& s, const std::string& key);

std::vector<connection_record> list_connections(soci::session& s, const opt_string& id_pattern,
                                                const std::vector<std::string>& order_by,
                                                long long limit, long long offset, long long* total);
std::optional<connection_record> find_connection(soci::session& s, const std::string& conn_id);
void put_connection(soci::session& s, const connection_record& c);
bool delete_connection(soci::session& s, const std::string& conn_id);

// Token ids ended by signing out, with when they expire; expired ones are
// deleted on the way.
std::vector<std::pair<std::string, long long>> list_revoked_tokens(soci::session& s, long long now);
void revoke_token(soci::session& s, const std::string& token_id, long long expires_at, long long now);

}  // namespace leoflow::schema
