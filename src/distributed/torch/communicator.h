#pragma once
// This process's link to the other ranks of its world: c10d's TCPStore for the rendezvous (rank 0
// serves it at MASTER_ADDR:MASTER_PORT) and a c10d process group for the collectives — Gloo for
// CPU tensors, NCCL for CUDA tensors when the build has it. LibTorch's C++ API has no
// DistributedDataParallel; the data-parallel step (gradient_averager.h, replicas.h) is written on
// these few collectives. Every failure of a collective — a rank that died, one that stopped
// answering within the timeout — is a UserError naming this rank, so a job ends with one line
// per rank instead of a hang or a backtrace.
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <torch/types.h>

#include "distributed/world.h"

namespace leuko {

// A collective launched and not yet waited for (a gradient bucket's all-reduce).
class PendingCollective {
 public:
  virtual ~PendingCollective() = default;
  virtual void wait() = 0;  // UserError when the collective failed
};

class Communicator {
 public:
  // Meets the other ranks (waiting up to `timeout` for all of them) and builds the process group.
  static std::unique_ptr<Communicator> join(const World& world, DistBackend backend, std::chrono::seconds timeout,
                                            const torch::Device& device);
  virtual ~Communicator() = default;

  const World& world() const { return world_; }
  int rank() const { return world_.rank; }
  int size() const { return world_.size; }
  const std::string& backend_name() const { return backend_name_; }
  int timeout_seconds() const { return static_cast<int>(timeout_.count()); }

  // In place, every rank ends with rank 0's values.
  virtual void broadcast_from_main(std::vector<torch::Tensor>& tensors) = 0;
  // In place sum over ranks; `launch` returns without waiting.
  virtual void all_reduce_sum(std::vector<torch::Tensor>& tensors) = 0;
  virtual std::unique_ptr<PendingCollective> launch_all_reduce_sum(torch::Tensor tensor) = 0;
  // Every rank's tensor (same shape on every rank), in rank order.
  virtual std::vector<torch::Tensor> all_gather(const torch::Tensor& tensor) = 0;
  virtual void barrier() = 0;

  // UserError unless every rank passes the same `value` (the data fingerprint, the settings):
  // ranks that disagree would train on different images and average nonsense.
  // Each call with a key is a new check (its n-th use), so one world serves several trainings.
  void require_same(const std::string& key, const std::string& value, const std::string& what);

  // A message from rank 0 to the other ranks through the rendezvous store (the study's next
  // training). Waiting has no time limit while rank 0 lives — it may evaluate for an hour between
  // two trainings — but rank 0 serves the store, so its end ends the wait with one line.
  void post_message(const std::string& key, const std::string& value);
  std::string await_message(const std::string& key);
  bool message_arrived(const std::string& key);

 protected:
  Communicator(World world, std::chrono::seconds timeout) : world_(std::move(world)), timeout_(timeout) {}
  // Runs a blocking collective; turns its failure into this rank's one-line UserError.
  void guarded(const std::string& what, const std::function<void()>& collective) const;
  virtual std::string store_get(const std::string& key) = 0;
  virtual void store_set(const std::string& key, const std::string& value) = 0;
  virtual bool store_has(const std::string& key) = 0;

  World world_;
  std::chrono::seconds timeout_;
  std::string backend_name_;
  std::map<std::string, int> checks_;  // require_same's uses per key
};

// The communicator of this process when it is one rank of several (set by the verbs that join a
// world, like torch.distributed's default group); nullptr when it runs alone. predict() consults
// it to shard evaluation.
Communicator* current_communicator();
void set_current_communicator(Communicator* communicator);

// Makes `communicator` current for the object's lifetime, then restores the previous one (a
// study's world is current only while its ranks train together).
class CurrentCommunicator {
 public:
  explicit CurrentCommunicator(Communicator* communicator) : previous_(current_communicator()) {
    set_current_communicator(communicator);
  }
  ~CurrentCommunicator() { set_current_communicator(previous_); }
  CurrentCommunicator(const CurrentCommunicator&) = delete;
  CurrentCommunicator& operator=(const CurrentCommunicator&) = delete;

 private:
  Communicator* previous_;
};

// For a verb that runs as one rank when the environment says so (evaluate): joins that world for
// the object's lifetime and makes it current_communicator(); alone, does nothing.
class JoinedWorld {
 public:
  JoinedWorld(DistBackend backend, std::chrono::seconds timeout, const torch::Device& device);
  ~JoinedWorld();
  const World& world() const { return world_; }

 private:
  World world_;
  std::unique_ptr<Communicator> communicator_;
  std::unique_ptr<CurrentCommunicator> current_;
};

// The first line of a collective's failure, said the same way everywhere.
std::string collective_failure(int rank, const std::string& what, const std::string& detail, int timeout_seconds);

}  // namespace leuko
