// `leoflow init DIR`: a DAG project that registers and runs as it is.
#include <filesystem>
#include <fstream>

#include <fmt/format.h>

#include "server/cli/args.hpp"
#include "server/cli/commands.hpp"

namespace leoflow::cli {

namespace fs = std::filesystem;

namespace {

constexpr const char* init_help = R"(Usage: leoflow init DIR

Creates a DAG project in DIR: leoflow.yaml and dag.py with a small TaskFlow
pipeline. The dag_id is the folder's name. Existing files are never
overwritten.

Then run `leoflow lite <parent of DIR>` and edit DIR/dag.py.
)";

std::string dag_id_from(const std::string& name) {
  std::string id;
  for (char c : name)
    id += (std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.') ? c : '_';
  return id.empty() ? "my_dag" : id;
}

std::string dag_source(const std::string& dag_id) {
  return fmt::format(R"PY("""{0}: a small TaskFlow pipeline made by `leoflow init`.

Save this file and Leoflow Lite registers the new version at once.
"""
from datetime import datetime

from airflow.sdk import dag, task
from airflow.providers.standard.operators.bash import BashOperator


@dag(
    dag_id="{0}",
    schedule=None,
    start_date=datetime(2025, 1, 1),
    catchup=False,
    tags=["example"],
)
def {1}():
    @task
    def extract() -> list[int]:
        return [3, 1, 4, 1, 5]

    @task
    def transform(numbers: list[int]) -> int:
        return sum(n * n for n in numbers)

    @task
    def load(total: int) -> None:
        print(f"sum of squares: {{total}}")

    report = BashOperator(task_id="report", bash_command="echo 'run {{{{ run_id }}}} is done'")

    load(transform(extract())) >> report


{1}()
)PY",
                     dag_id, [&] {
                       std::string fn;
                       for (char c : dag_id) fn += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
                       if (fn.empty() || std::isdigit(static_cast<unsigned char>(fn[0]))) fn = "dag_" + fn;
                       return fn;
                     }());
}

}  // namespace

int init_command(const std::vector<std::string>& argv, console& out) {
  std::string error;
  auto args = parse_args(argv, {}, error);
  if (!args) {
    out.failure(fmt::format("leoflow init: {}", error), "Run `leoflow init --help` for usage.");
    return 2;
  }
  if (args->help) {
    std::fputs(init_help, stdout);
    return 0;
  }
  if (args->positional.size() != 1) {
    out.failure("leoflow init: give exactly one folder", "Usage: leoflow init DIR");
    return 2;
  }
  const fs::path dir = args->positional[0];
  const std::string dag_id = dag_id_from(fs::absolute(dir).lexically_normal().filename().string());
  const fs::path dag_file = dir / "dag.py";
  const fs::path config = dir / "leoflow.yaml";
  for (const auto& f : {dag_file, config}) {
    if (fs::exists(f)) {
      out.failure(fmt::format("leoflow init: {} already exists", f.string()),
                  "leoflow init never overwrites files; choose a new folder.");
      return 1;
    }
  }
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) {
    out.failure(fmt::format("leoflow init: cannot create {}", dir.string()), ec.message());
    return 1;
  }
  {
    std::ofstream f(config);
    f << "# Leoflow project settings.\n"
      << "dag_id: " << dag_id << "\n"
      << "dag_file: dag.py\n"
      << "# Packages this DAG's tasks need, installed into its own virtualenv:\n"
      << "dependencies: []\n";
  }
  {
    std::ofstream f(dag_file);
    f << dag_source(dag_id);
    if (!f) {
      out.failure(fmt::format("leoflow init: cannot write {}", dag_file.string()));
      return 1;
    }
  }
  out.success(fmt::format("created {} and {} (dag_id {})", config.string(), dag_file.string(), dag_id));
  out.info(fmt::format("next: leoflow lite {}", fs::absolute(dir).lexically_normal().parent_path().string()));
  return 0;
}

}  // namespace leoflow::cli
