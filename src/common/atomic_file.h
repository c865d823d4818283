#pragma once
// Every artefact (checkpoint, report, split, eval.json) is written next to its destination under
// a temporary name and renamed into place: a kill at any moment leaves either the old complete
// file or the new complete file, never a torn one.
#include <string>

namespace leuko {

// How much of a power cut (or kernel crash) the file survives; a killed process never tears it.
enum class Durability {
  Durable,    // fsync the file before the rename and the folder after it: a run's artefacts
  FileOnly,   // fsync the file, not the folder: many outputs of one command (heatmaps)
  Scratch,    // no fsync: files that live no longer than the process that reads them (a study
              // rank's copy of its split), where an fsync would only cost time
};

void write_file_atomically(const std::string& path, const std::string& contents,
                           Durability durability = Durability::Durable);

// fsyncs the folder holding `path`, so that a rename into it survives a power cut (best effort:
// the file itself is complete either way). Writers that cannot go through the function above
// (a checkpoint streamed to disk) call it after their rename.
void sync_folder_of(const std::string& path);

std::string read_file_to_string(const std::string& path);

}  // namespace leuko
