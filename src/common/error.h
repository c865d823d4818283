#pragma once
// A UserError is a problem with the user's input (a file, an option, a dataset). The CLI prints
// its message as the single line `error: <message>` and exits non-zero; it never carries a
// stack of context, so the message itself must name the file and the reason.
#include <stdexcept>
#include <string>

namespace leuko {

struct UserError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// The work was done and written, but not on everything given (some inputs were unreadable and
// skipped): the CLI prints the message as one `warning: ...` line and exits with status 3.
struct PartialResult : std::runtime_error {
  using std::runtime_error::runtime_error;
};

}  // namespace leuko
