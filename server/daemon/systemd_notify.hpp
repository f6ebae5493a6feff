// The systemd notify protocol (sd_notify(3)) through libsystemd: READY,
// RELOADING, STOPPING, STATUS and WATCHDOG keep-alives. Outside systemd
// (no NOTIFY_SOCKET) every call does nothing; so does a build without
// libsystemd.
#pragma once

#include <chrono>
#include <string>

namespace leoflow::daemon {

// Sends `state` ("READY=1\nSTATUS=..."); true when a service manager got it.
bool notify(const std::string& state);

// How often to send WATCHDOG=1 (half the manager's WatchdogSec), or zero
// when no watchdog is expected from this process.
std::chrono::microseconds watchdog_interval();

// Whether this binary was built with libsystemd.
bool have_systemd();

}  // namespace leoflow::daemon
