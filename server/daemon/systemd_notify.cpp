// sd_notify and sd_watchdog_enabled, or nothing without libsystemd.
#include "server/daemon/systemd_notify.hpp"

#ifdef LEOFLOW_HAVE_SYSTEMD
#include <systemd/sd-daemon.h>
#endif

namespace leoflow::daemon {

bool notify(const std::string& state) {
#ifdef LEOFLOW_HAVE_SYSTEMD
  // unset_environment = 0: the variable is needed again for later states.
  return sd_notify(0, state.c_str()) > 0;
#else
  (void)state;
  return false;
#endif
}

std::chrono::microseconds watchdog_interval() {
#ifdef LEOFLOW_HAVE_SYSTEMD
  std::uint64_t usec = 0;
  if (sd_watchdog_enabled(0, &usec) > 0 && usec > 0) return std::chrono::microseconds(usec / 2);
#endif
  return std::chrono::microseconds(0);
}

bool have_systemd() {
#ifdef LEOFLOW_HAVE_SYSTEMD
  return true;
#else
  return false;
#endif
}

}  // namespace leoflow::daemon
