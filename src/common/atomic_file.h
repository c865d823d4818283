#pragma once
// Every artefact (checkpoint, report, split, eval.json) is written next to its destination under
// a temporary name and renamed into place: a kill at any moment leaves either the old complete
// file or the new complete file, never a torn one.
#include <string>

namespace leuko {

// `sync_folder`: also fsync the folder after the rename so that the new name survives a power cut
// (artefacts of a run); off for the many re-creatable files (cache entries, heatmaps), where one
// extra fsync per file would cost more than the file.
void write_file_atomically(const std::string& path, const std::string& contents, bool sync_folder = true);

std::string read_file_to_string(const std::string& path);

}  // namespace leuko
