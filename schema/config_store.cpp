// SQL for variables and connections.
#include "schema/config_store.hpp"

#include <soci/soci.h>

#include "schema/query.hpp"
#include "schema/soci_optional.hpp"

namespace leoflow::schema {
namespace {

variable_record read_variable(const row_reader& r) {
  return {r.integer_or("id", 0), r.text_or("var_key", ""), r.text("val"), r.text("description")};
}

connection_record read_connection(const row_reader& r) {
  connection_record c;
  c.id = r.integer_or("id", 0);
  c.conn_id = r.text_or("conn_id", "");
  c.conn_type = r.text_or("conn_type", "");
  c.description = r.text("description");
  c.host = r.text("host");
  c.schema_name = r.text("schema_name");
  c.login = r.text("login");
  c.password = r.text("password");
  c.extra = r.text("extra");
  c.port = r.integer("port");
  return c;
}

}  // namespace

std::vector<variable_record> list_variables(soci::session& s, const opt_string& key_pattern,
                                            const std::vector<std::string>& order_by, long long limit,
                                            long long offset, long long* total) {
  sql_query q("SELECT * FROM variable");
  if (key_pattern) q.where_like("var_key", *key_pattern);
  if (total) *total = q.count(s);
  q.order_by_each(order_by).order_by("id", false).page(limit, offset);
  std::vector<variable_record> out;
  q.each(s, [&](const row_reader& r) { out.push_back(read_variable(r)); });
  return out;
}

std::optional<variable_record> find_variable(soci::session& s, const std::string& key) {
  sql_query q("SELECT * FROM variable");
  q.where("var_key = " + q.bind(key));
  std::optional<variable_record> out;
  q.each(s, [&](const row_reader& r) { out = read_variable(r); });
  return out;
}

void put_variable(soci::session& s, const std::string& key, const opt_string& value,
                  const opt_string& description) {
  if (find_variable(s, key))
    s << "UPDATE variable SET val = :v, description = :d WHERE var_key = :k", soci::use(value),
        soci::use(description), soci::use(key);
  else
    s << "INSERT INTO variable (var_key, val, description) VALUES (:k, :v, :d)", soci::use(key),
        soci::use(value), soci::use(description);
}

bool delete_variable(soci::session& s, const std::string& key) {
  soci::statement st = (s.prepare << "DELETE FROM variable WHERE var_key = :k", soci::use(key));
  st.execute(true);
  return st.get_affected_rows() > 0;
}

std::vector<connection_record> list_connections(soci::session& s, const opt_string& id_pattern,
                                                const std::vector<std::string>& order_by,
                                                long long limit, long long offset, long long* total) {
  sql_query q("SELECT * FROM connection");
  if (id_pattern) q.where_like("conn_id", *id_pattern);
  if (total) *total = q.count(s);
  q.order_by_each(order_by).order_by("id", false).page(limit, offset);
  std::vector<connection_record> out;
  q.each(s, [&](const row_reader& r) { out.push_back(read_connection(r)); });
  return out;
}

std::optional<connection_record> find_connection(soci::session& s, const std::string& conn_id) {
  sql_query q("SELECT * FROM connection");
  q.where("conn_id = " + q.bind(conn_id));
  std::optional<connection_record> out;
  q.each(s, [&](const row_reader& r) { out = read_connection(r); });
  return out;
}

void put_connection(soci::session& s, const connection_record& c) {
  if (find_connection(s, c.conn_id))
    s << "UPDATE connection SET conn_type = :t, description = :d, host = :h, schema_name = :sc, "
         "login = :l, password = :p, port = :po, extra = :e WHERE conn_id = :id",
        soci::use(c.conn_type), soci::use(c.description), soci::use(c.host), soci::use(c.schema_name),
        soci::use(c.login), soci::use(c.password), soci::use(c.port), soci::use(c.extra),
        soci::use(c.conn_id);
  else
    s << "INSERT INTO connection (conn_id, conn_type, description, host, schema_name, login, "
         "password, port, extra) VALUES (:id, :t, :d, :h, :sc, :l, :p, :po, :e)",
        soci::use(c.conn_id), soci::use(c.conn_type), soci::use(c.description), soci::use(c.host),
        soci::use(c.schema_name), soci::use(c.login), soci::use(c.password), soci::use(c.port),
        soci::use(c.extra);
}

bool delete_connection(soci::session& s, const std::string& conn_id) {
  soci::statement st = (s.prepare << "DELETE FROM connection WHERE conn_id = :id", soci::use(conn_id));
  st.execute(true);
  return st.get_affected_rows() > 0;
}

std::vector<std::pair<std::string, long long>> list_revoked_tokens(soci::session& s, long long now) {
  s << "DELETE FROM revoked_token WHERE expires_at <= :now", soci::use(now);
  std::vector<std::pair<std::string, long long>> out;
  sql_query("SELECT token_id, expires_at FROM revoked_token").each(s, [&](const row_reader& r) {
    out.emplace_back(r.text_or("token_id", ""), r.integer_or("expires_at", 0));
  });
  return out;
}

void revoke_token(soci::session& s, const std::string& token_id, long long expires_at, long long now) {
  soci::transaction tx(s);
  s << "DELETE FROM revoked_token WHERE expires_at <= :now", soci::use(now);
  s << "INSERT INTO revoked_token (token_id, expires_at) VALUES (:id, :exp) "
       "ON CONFLICT (token_id) DO NOTHING", soci::use(token_id),
      soci::use(expires_at);
  tx.commit();
}

}  // namespace leoflow::schema
