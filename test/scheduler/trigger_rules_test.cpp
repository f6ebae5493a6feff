// Tests scheduler/trigger_rules.hpp against Airflow's semantics, one row per
// (rule, upstream states) case.
#include "scheduler/trigger_rules.hpp"

#include <ostream>
#include <string>

#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

using namespace leoflow::scheduler;
namespace bdata = boost::unit_test::data;

namespace {

// Upstream states as letters: s=success k=skipped f=failed u=upstream_failed
// r=removed .=not finished yet.
upstream_states states(std::string_view letters) {
  upstream_states up;
  for (char c : letters) {
    ++up.upstream;
    if (c == '.') continue;
    ++up.done;
    if (c == 's') ++up.success;
    if (c == 'k') ++up.skipped;
    if (c == 'f') ++up.failed;
    if (c == 'u') ++up.upstream_failed;
    if (c == 'r') ++up.removed;
  }
  return up;
}

struct row {
  const char* rule;
  const char* upstream;
  trigger_decision expected;
};
std::ostream& operator<<(std::ostream& os, const row& r) {
  return os << r.rule << " [" << r.upstream << "] -> " << to_string(r.expected);
}

using d = trigger_decision;
const row table[] = {
    {"all_success", "ss", d::run},           {"all_success", "s.", d::wait},
    {"all_success", "sf", d::upstream_failed}, {"all_success", "su", d::upstream_failed},
    {"all_success", "sk", d::skip},          {"all_success", "k.", d::skip},
    {"all_success", "f.", d::upstream_failed}, {"all_success", "", d::run},
    {"all_failed", "ff", d::run},            {"all_failed", "fu", d::run},
    {"all_failed", "f.", d::wait},           {"all_failed", "fs", d::skip},
    {"all_failed", "fk", d::skip},
    {"all_done", "sfku", d::run},            {"all_done", "sf.", d::wait},
    {"all_done_min_one_success", "sf", d::run}, {"all_done_min_one_success", "ff", d::upstream_failed},
    {"all_done_min_one_success", "s.", d::wait}, {"all_done_min_one_success", "sk", d::skip},
    {"all_skipped", "kk", d::run},           {"all_skipped", "k.", d::wait},
    {"all_skipped", "ks", d::skip},          {"all_skipped", "kf", d::skip},
    {"one_success", "s.", d::run},           {"one_success", "f.", d::wait},
    {"one_success", "ff", d::upstream_failed}, {"one_success", "kk", d::skip},
    {"one_success", "kf", d::upstream_failed},
    {"one_failed", "f.", d::run},            {"one_failed", "u.", d::run},
    {"one_failed", "s.", d::wait},           {"one_failed", "sk", d::skip},
    {"one_done", "s.", d::run},              {"one_done", "f.", d::run},
    {"one_done", "k.", d::wait},             {"one_done", "kk", d::skip},
    {"one_done", "ku", d::skip},
    {"none_failed", "sk", d::run},           {"none_failed", "kk", d::run},
    {"none_failed", "s.", d::wait},          {"none_failed", "sf", d::upstream_failed},
    {"none_failed", "u.", d::upstream_failed},
    {"none_failed_min_one_success", "sk", d::run}, {"none_failed_min_one_success", "kk", d::skip},
    {"none_failed_min_one_success", "k.", d::wait}, {"none_failed_min_one_success", "kf", d::upstream_failed},
    {"none_skipped", "sf", d::run},          {"none_skipped", "s.", d::wait},
    {"none_skipped", "sk", d::skip},         {"none_skipped", "uf", d::run},
    {"always", "..", d::run},                {"always", "ff", d::run},
};

}  // namespace

BOOST_AUTO_TEST_SUITE(trigger_rules_suite)

BOOST_DATA_TEST_CASE(airflow_semantics, bdata::make(table), r) {
  BOOST_TEST(to_string(evaluate_trigger_rule(r.rule, states(r.upstream))) == to_string(r.expected));
}

BOOST_AUTO_TEST_CASE(every_airflow_rule_is_known) {
  for (auto rule : {"all_success", "all_failed", "all_done", "all_done_min_one_success", "all_skipped",
                    "one_success", "one_failed", "one_done", "none_failed", "none_failed_min_one_success",
                    "none_skipped", "always"})
    BOOST_TEST(is_known_trigger_rule(rule), rule);
  BOOST_TEST(!is_known_trigger_rule("dummy"));
  BOOST_TEST(!is_known_trigger_rule("ALL_SUCCESS"));
}

BOOST_AUTO_TEST_SUITE_END()
