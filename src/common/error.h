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

}  // namespace leuko
