#pragma once
// Every artefact (checkpoint, report, split, eval.json) is written next to its destination under
// a temporary name and renamed into place: a kill at any moment leaves either the old complete
// file or the new complete file, never a torn one.
#include <string>

namespace leuko {

void write_file_atomically(const std::string& path, const std::string& contents);

std::string read_file_to_string(const std::string& path);

}  // namespace leuko
