// The product version, printed by `leoflow version` and the API.
#pragma once

namespace leoflow {
inline constexpr const char* leoflow_version = "0.1.0";
}
