#pragma once

namespace nvr::platform {
inline constexpr const char* version = "0.1.0";
}
