// The engine features (docs/contracts.md, "Engine features") this engine
// implements: the parser and the runtime refuse a construct that needs one
// until it is named here, so users never meet half a feature. Every process
// that imports DAG files gets it as LEOFLOW_FEATURES.
#pragma once

namespace leoflow {

inline constexpr const char* engine_features = "task_concurrency";

}  // namespace leoflow
