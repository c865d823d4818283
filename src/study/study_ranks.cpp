#include "study/study_ranks.h"

#include <chrono>
#include <filesystem>
#include <thread>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "common/atomic_file.h"
#include "common/error.h"
#include "common/json_reader.h"
#include "common/json_text.h"
#include "common/remove_tree.h"
#include "distributed/torch/communicator.h"

namespace leuko {
namespace fs = std::filesystem;

namespace {

// The split travels with the task: a rank on another host need not see rank 0's study folder
// for a fresh training (it must for --resume, which reads the checkpoint there).
class SplitCopy {
 public:
  SplitCopy(int rank, const std::string& contents)
      : dir_((fs::temp_directory_path() / ("leukoscope-study-rank" + std::to_string(rank) + "-" +
                                           std::to_string(::getpid()))).string()) {
    fs::create_directories(dir_);
    write_file_atomically(path(), contents, Durability::Scratch);
  }
  ~SplitCopy() { remove_tree(dir_); }
  std::string path() const { return dir_ + "/split.csv"; }

 private:
  std::string dir_;
};

}  // namespace

int StudyRanks::ranks_on_this_host() const { return communicator_.world().local_size; }

TrainResult StudyRanks::train_together(const TrainConfig& config, bool resume, bool show_progress) {
  const nlohmann::json task = {{"train", to_json(config)}, {"resume", resume},
                               {"split_csv", read_file_to_string(config.split_csv)}};
  communicator_.post_message(next_key(), json_text(task));
  const CurrentCommunicator together(&communicator_);
  return train_model(config, resume, show_progress);
}

void StudyRanks::finish(const std::string& error) {
  try {
    communicator_.post_message(next_key(), json_text(nlohmann::json{{"end", error}}));
    // Rank 0 serves the store: it stays until every rank has read the end (a rank that already
    // stopped, its collective failed first, never will: waited for a few seconds only).
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(error.empty() ? 60 : 5);
    for (int r = 1; r < communicator_.size(); ++r)
      while (!communicator_.message_arrived(read_key(r)) && std::chrono::steady_clock::now() < until)
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
  } catch (const UserError&) {
    // The others already stopped; they need no word.
  }
}

void StudyRanks::follow(int threads) {
  const int rank = communicator_.rank();
  for (;;) {
    const std::string key = next_key();
    const nlohmann::json task = JsonReader::parse(communicator_.await_message(key), "rank 0's " + key);
    if (task.contains("end")) {
      communicator_.post_message(read_key(rank), "");
      const std::string error = task["end"].get<std::string>();
      if (error.empty()) return;
      throw UserError("rank " + std::to_string(rank) + ": rank 0 ended the study: " + error);
    }
    TrainConfig c = train_config_from_json(JsonReader(task["train"], "rank 0's " + key + " training"));
    const SplitCopy split(rank, task["split_csv"].get<std::string>());
    c.split_csv = split.path();
    c.threads = threads;
    const CurrentCommunicator together(&communicator_);
    train_model(c, task["resume"].get<bool>(), false);
  }
}

}  // namespace leuko
