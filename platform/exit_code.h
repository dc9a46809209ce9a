// Process exit codes of nvr-vp besides the firmware's own (0..255, from the test device).
#pragma once

namespace nvr::platform::exit_code {
inline constexpr int usage = 64;          // bad option, value or config file (EX_USAGE)
inline constexpr int bad_firmware = 65;   // the ELF cannot be read or does not fit the SoC
inline constexpr int internal = 70;       // a SystemC error or another model failure (EX_SOFTWARE)
inline constexpr int io_error = 74;       // an output file cannot be written (EX_IOERR)
inline constexpr int timeout = 124;       // --max-time or --max-instructions ended the run
inline constexpr int interrupted = 130;   // Ctrl-C (SIGINT), or the debugger ended the run
inline constexpr int terminated = 143;    // SIGTERM
}  // namespace nvr::platform::exit_code
