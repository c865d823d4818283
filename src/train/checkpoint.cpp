#include "train/checkpoint.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <mutex>

#include <ATen/CPUGeneratorImpl.h>
#include <ATen/Context.h>
#include <torch/torch.h>
#include <unistd.h>

#include "common/atomic_file.h"
#include "common/error.h"
#include "train/weight_average.h"

namespace leuko {

namespace {

// Where the model's parameters live: checkpoint tensors are mapped there on loading.
torch::Device model_device(const torch::nn::Module& model) {
  for (const auto& p : model.parameters()) return p.device();
  return torch::kCPU;
}

}  // namespace

void save_checkpoint(const std::string& path, const torch::nn::Module& model, const torch::optim::Optimizer& optimizer,
                     const TrainingState& state, const WeightAverage* average) {
  torch::serialize::OutputArchive archive, model_archive, optimizer_archive;
  model.save(model_archive);
  optimizer.save(optimizer_archive);
  archive.write("model", model_archive);
  archive.write("optimizer", optimizer_archive);
  if (average) {
    torch::serialize::OutputArchive average_archive;
    average->save(average_archive);
    archive.write("weight_average", average_archive);
  }
  archive.write("next_epoch", torch::tensor(static_cast<int64_t>(state.next_epoch)));
  archive.write("best_f1", torch::tensor(state.best_f1, torch::kFloat64));
  archive.write("best_epoch", torch::tensor(static_cast<int64_t>(state.best_epoch)));
  archive.write("epochs_without_improvement", torch::tensor(static_cast<int64_t>(state.epochs_without_improvement)));
  {
    auto gen = at::detail::getDefaultCPUGenerator();
    std::lock_guard<std::mutex> lock(gen.mutex());
    archive.write("cpu_rng_state", gen.get_state());
  }
  const torch::Device device = model_device(model);
  if (device.is_cuda()) {  // dropout on a GPU draws from the CUDA generator
    auto gen = at::globalContext().defaultGenerator(device);
    std::lock_guard<std::mutex> lock(gen.mutex());
    archive.write("cuda_rng_state", gen.get_state());
  }
  const std::string tmp = path + ".tmp." + std::to_string(::getpid());
  const auto refuse = [&](const std::string& why) {
    std::remove(tmp.c_str());  // it would keep the disk full; the previous checkpoint stays
    return UserError(path + ": cannot write the checkpoint (" + why + "); the previous one is kept");
  };
  std::FILE* file = std::fopen(tmp.c_str(), "wb");
  if (!file) throw refuse(std::strerror(errno));
  // The archive's writer must not throw: PyTorchStreamWriter throws on a short write and then, in
  // its destructor, writes the end of the archive, fails again and throws from the destructor —
  // std::terminate, a backtrace instead of this line. So the first failure (a full disk, a file
  // size limit) is remembered, later bytes are dropped, and the error is raised once it is done.
  int write_error = 0;
  try {
    archive.save_to([&](const void* data, size_t size) -> size_t {
      if (write_error == 0 && size > 0 && std::fwrite(data, 1, size, file) != size) write_error = errno ? errno : EIO;
      return size;
    });
  } catch (const std::exception& e) {
    std::fclose(file);
    std::string what = e.what();
    throw refuse(what.substr(0, what.find('\n')));
  }
  // On disk before the rename (as every artefact: common/atomic_file.h), so a power cut leaves
  // the old checkpoint or the new one, never a renamed empty file.
  if (std::fflush(file) != 0 && write_error == 0) write_error = errno;
  if (write_error == 0 && ::fsync(::fileno(file)) != 0 && errno != EINVAL) write_error = errno;  // EINVAL: no fsync there
  if (std::fclose(file) != 0 && write_error == 0) write_error = errno;
  if (write_error != 0) throw refuse(std::strerror(write_error));
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    std::remove(tmp.c_str());
    throw UserError(path + ": cannot rename the new checkpoint into place");
  }
  sync_folder_of(path);
}

TrainingState load_checkpoint(const std::string& path, torch::nn::Module& model, torch::optim::Optimizer& optimizer,
                              WeightAverage* average) {
  if (!std::filesystem::exists(path)) throw UserError(path + ": no checkpoint to resume from");
  TrainingState state;
  try {
    torch::serialize::InputArchive archive, model_archive, optimizer_archive;
    // Mapped to the model's device: reading a CPU tensor into a CUDA parameter would move it.
    const torch::Device device = model_device(model);
    archive.load_from(path, device);
    archive.read("model", model_archive);
    archive.read("optimizer", optimizer_archive);
    model.load(model_archive);
    optimizer.load(optimizer_archive);
    if (average) {
      torch::serialize::InputArchive average_archive;
      if (!archive.try_read("weight_average", average_archive))
        throw UserError(path + ": holds no weight average (--ema-decay) to resume");
      average->load(average_archive);
    }
    // A fresh tensor per read: reading into a defined one resizes it in place, which fails.
    auto read = [&](const char* key) {
      torch::Tensor t;
      archive.read(key, t);
      return t;
    };
    state.next_epoch = static_cast<int>(read("next_epoch").item<int64_t>());
    state.best_f1 = read("best_f1").item<double>();
    state.best_epoch = static_cast<int>(read("best_epoch").item<int64_t>());
    state.epochs_without_improvement = static_cast<int>(read("epochs_without_improvement").item<int64_t>());
    torch::Tensor rng_state = read("cpu_rng_state").cpu();
    {
      auto gen = at::detail::getDefaultCPUGenerator();
      std::lock_guard<std::mutex> lock(gen.mutex());
      gen.set_state(rng_state);
    }
    torch::Tensor cuda_state;
    if (device.is_cuda() && archive.try_read("cuda_rng_state", cuda_state)) {
      auto gen = at::globalContext().defaultGenerator(device);
      std::lock_guard<std::mutex> lock(gen.mutex());
      gen.set_state(cuda_state.cpu());
    }
  } catch (const c10::Error& e) {
    std::string why = e.what_without_backtrace();
    throw UserError(path + ": unreadable checkpoint (" + why.substr(0, why.find('\n')) + ")");
  }
  return state;
}

}  // namespace leuko
