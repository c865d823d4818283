#include "distributed/torch/communicator.h"

#include <cstdlib>
#include <thread>

#include <torch/csrc/distributed/c10d/PrefixStore.hpp>
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>
#include <torch/torch.h>
#include <torch/version.h>
#ifdef USE_C10D_NCCL
#include <torch/csrc/distributed/c10d/ProcessGroupNCCL.hpp>
#endif

#include "common/error.h"

namespace leuko {
namespace {

// LibTorch 1.13's process groups derive from c10d::ProcessGroup, 2.x's from c10d::Backend: the
// collectives used here have the same signatures on both.
#if TORCH_VERSION_MAJOR >= 2
using CollectiveBackend = c10d::Backend;
#else
using CollectiveBackend = c10d::ProcessGroup;
#endif

Communicator* current = nullptr;

std::string first_line(const std::string& text) { return text.substr(0, text.find('\n')); }

class PendingWork : public PendingCollective {
 public:
  PendingWork(c10::intrusive_ptr<c10d::Work> work, int rank, int timeout)
      : work_(std::move(work)), rank_(rank), timeout_(timeout) {}
  void wait() override {
    try {
      work_->wait();
    } catch (const std::exception& e) {
      throw UserError(collective_failure(rank_, "gradient all-reduce", e.what(), timeout_));
    }
  }

 private:
  c10::intrusive_ptr<c10d::Work> work_;
  int rank_, timeout_;
};

class C10dCommunicator : public Communicator {
 public:
  C10dCommunicator(const World& world, std::chrono::seconds timeout, c10::intrusive_ptr<c10d::Store> store,
                   c10::intrusive_ptr<CollectiveBackend> group, std::string backend, torch::Device device)
      : Communicator(world, timeout), store_(std::move(store)), group_(std::move(group)), device_(device) {
    backend_name_ = std::move(backend);
  }

  void broadcast_from_main(std::vector<torch::Tensor>& tensors) override {
    each_in_place("broadcast from rank 0", tensors, [&](std::vector<at::Tensor>& one) { return group_->broadcast(one); });
  }
  void all_reduce_sum(std::vector<torch::Tensor>& tensors) override {
    each_in_place("all-reduce", tensors, [&](std::vector<at::Tensor>& one) { return group_->allreduce(one); });
  }
  std::unique_ptr<PendingCollective> launch_all_reduce_sum(torch::Tensor tensor) override {
    std::vector<at::Tensor> one{std::move(tensor)};  // the gradient buckets live where the weights do
    c10::intrusive_ptr<c10d::Work> work;
    guarded("gradient all-reduce", [&] { work = group_->allreduce(one); });
    return std::make_unique<PendingWork>(std::move(work), rank(), timeout_seconds());
  }
  std::vector<torch::Tensor> all_gather(const torch::Tensor& tensor) override {
    std::vector<std::vector<at::Tensor>> out(1);
    const auto in_place = on_device(tensor.contiguous());
    for (int r = 0; r < size(); ++r) out[0].push_back(torch::empty_like(in_place));
    std::vector<at::Tensor> in{in_place};
    guarded("all-gather", [&] { group_->allgather(out, in)->wait(); });
    for (auto& t : out[0]) t = t.to(tensor.device());
    return out[0];
  }
  void barrier() override {
    guarded("barrier", [&] { group_->barrier()->wait(); });
  }

 protected:
  std::string store_get(const std::string& key) override {
    std::string value;
    guarded("rendezvous store", [&] {
      auto bytes = store_->get(key);
      value.assign(bytes.begin(), bytes.end());
    });
    return value;
  }
  void store_set(const std::string& key, const std::string& value) override {
    guarded("rendezvous store", [&] { store_->set(key, std::vector<uint8_t>(value.begin(), value.end())); });
  }
  bool store_has(const std::string& key) override {
    bool has = false;
    guarded("rendezvous store", [&] { has = store_->check({key}); });
    return has;
  }

 private:
  // One blocking collective per tensor, in order, its result copied back where NCCL moved it.
  template <typename Collective>
  void each_in_place(const std::string& what, std::vector<torch::Tensor>& tensors, Collective collective) {
    guarded(what, [&] {
      for (auto& t : tensors) {
        std::vector<at::Tensor> one{on_device(t)};
        collective(one)->wait();
        if (!one[0].is_same(t)) t.copy_(one[0]);
      }
    });
  }

  // NCCL moves only GPU tensors: the few host tensors (losses, gathered predictions) visit the GPU.
  torch::Tensor on_device(const torch::Tensor& t) const {
    return backend_name_ == "nccl" && !t.is_cuda() ? t.to(device_) : t;
  }

  c10::intrusive_ptr<c10d::Store> store_;
  c10::intrusive_ptr<CollectiveBackend> group_;
  torch::Device device_;
};

// Which interface Gloo's sockets bind: GLOO_SOCKET_IFNAME when set (as PyTorch reads it), the
// loopback when every rank is on this machine, else whatever this host's name resolves to.
std::shared_ptr<::gloo::transport::Device> gloo_device(const World& world) {
  if (const char* ifname = std::getenv("GLOO_SOCKET_IFNAME"); ifname && *ifname)
    return c10d::ProcessGroupGloo::createDeviceForInterface(ifname);
  if (world.local_size == world.size) return c10d::ProcessGroupGloo::createDeviceForHostname("127.0.0.1");
  return c10d::ProcessGroupGloo::createDefaultDevice();
}

}  // namespace

std::string collective_failure(int rank, const std::string& what, const std::string& detail, int timeout_seconds) {
  return "rank " + std::to_string(rank) + ": " + what + " with the other ranks failed (" + first_line(detail) +
         "): another rank stopped, or did not answer within " + std::to_string(timeout_seconds) +
         " s (--dist-timeout); its own error says why";
}

void Communicator::guarded(const std::string& what, const std::function<void()>& collective) const {
  try {
    collective();
  } catch (const UserError&) {
    throw;
  } catch (const std::exception& e) {
    throw UserError(collective_failure(rank(), what, e.what(), timeout_seconds()));
  }
}

void Communicator::require_same(const std::string& key, const std::string& value, const std::string& what) {
  const std::string slot = "leuko/same/" + key + "/" + std::to_string(checks_[key]++);
  if (world_.is_main()) store_set(slot, value);
  const std::string main_value = store_get(slot);
  if (main_value != value)
    throw UserError("rank " + std::to_string(rank()) + ": " + what + " differs from rank 0's (" + value + " here, " +
                    main_value + " there): every rank must see the same data and settings");
}

void Communicator::post_message(const std::string& key, const std::string& value) {
  store_set("leuko/message/" + key, value);
}

bool Communicator::message_arrived(const std::string& key) { return store_has("leuko/message/" + key); }

std::string Communicator::await_message(const std::string& key) {
  const std::string slot = "leuko/message/" + key;
  try {
    while (!store_has(slot)) std::this_thread::sleep_for(std::chrono::milliseconds(200));
  } catch (const UserError&) {
    throw UserError("rank " + std::to_string(rank()) + ": rank 0 stopped answering while this rank waited for its next " +
                    "step; rank 0's own error says why");
  }
  return store_get(slot);
}

std::unique_ptr<Communicator> Communicator::join(const World& world, DistBackend backend, std::chrono::seconds timeout,
                                                 const torch::Device& device) {
  if (backend == DistBackend::Auto) {
#ifdef USE_C10D_NCCL
    backend = device.is_cuda() ? DistBackend::Nccl : DistBackend::Gloo;
#else
    backend = DistBackend::Gloo;
#endif
  }
  const std::string where = world.master_addr + ":" + std::to_string(world.master_port);
  c10::intrusive_ptr<c10d::Store> store;
  try {
    c10d::TCPStoreOptions options;
    options.port = static_cast<uint16_t>(world.master_port);
    options.isServer = world.is_main() && !world.agent_store;
    if (!world.agent_store) options.numWorkers = static_cast<size_t>(world.size);
    options.waitWorkers = !world.agent_store;
    options.timeout = timeout;
    store = c10::make_intrusive<c10d::TCPStore>(world.master_addr, options);
    if (world.agent_store)
      store = c10::make_intrusive<c10d::PrefixStore>("/worker/attempt_" + std::to_string(world.restart_count), store);
  } catch (const std::exception& e) {
    throw UserError("rank " + std::to_string(world.rank) + ": rendezvous at " + where + " failed (" +
                    first_line(e.what()) + "); are all " + std::to_string(world.size) +
                    " ranks started, and is MASTER_PORT free on rank 0's host?");
  }
  // A prefix per job phase keeps keys of the group apart from leukoscope's own.
  auto group_store = c10::make_intrusive<c10d::PrefixStore>("group", store);
  try {
    if (backend == DistBackend::Nccl) {
#ifdef USE_C10D_NCCL
      if (!device.is_cuda()) throw UserError("--dist-backend nccl: needs --device cuda");
      auto options = c10d::ProcessGroupNCCL::Options::create();
      options->timeout = timeout;
      auto group = c10::make_intrusive<c10d::ProcessGroupNCCL>(group_store, world.rank, world.size, options);
      return std::make_unique<C10dCommunicator>(world, timeout, store, group, "nccl", device);
#else
      throw UserError("--dist-backend nccl: this leukoscope was built without CUDA/NCCL; use gloo");
#endif
    }
    auto options = c10d::ProcessGroupGloo::Options::create(timeout);
    options->devices.push_back(gloo_device(world));
    auto group = c10::make_intrusive<c10d::ProcessGroupGloo>(group_store, world.rank, world.size, options);
    return std::make_unique<C10dCommunicator>(world, timeout, store, group, "gloo", device);
  } catch (const UserError&) {
    throw;
  } catch (const std::exception& e) {
    throw UserError("rank " + std::to_string(world.rank) + ": joining the " + choice_name(backend) +
                    " process group at " + where + " failed (" + first_line(e.what()) + ")");
  }
}

JoinedWorld::JoinedWorld(DistBackend backend, std::chrono::seconds timeout, const torch::Device& device)
    : world_(world_from_environment()) {
  if (!world_.distributed()) return;
  communicator_ = Communicator::join(world_, backend, timeout, device);
  current_ = std::make_unique<CurrentCommunicator>(communicator_.get());
}

JoinedWorld::~JoinedWorld() = default;

Communicator* current_communicator() { return current; }
void set_current_communicator(Communicator* communicator) { current = communicator; }

}  // namespace leuko
