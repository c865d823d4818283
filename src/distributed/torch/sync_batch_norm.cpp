#include "distributed/torch/sync_batch_norm.h"

#include <torch/torch.h>

#include "distributed/torch/communicator.h"
#include "models/conv_bn_fusion.h"

namespace leuko {
namespace {

using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

Communicator* synchronised_over = nullptr;

const std::vector<int64_t> kReduceDims{0, 2, 3};

torch::Tensor per_channel(const torch::Tensor& t) { return t.view({1, -1, 1, 1}); }

struct SyncBatchNorm : torch::autograd::Function<SyncBatchNorm> {
  // The statistics are summed in double: sum of squares minus squared mean loses digits in float.
  static torch::Tensor forward(AutogradContext* ctx, torch::Tensor x, torch::Tensor weight, torch::Tensor bias,
                               torch::Tensor running_mean, torch::Tensor running_var, double eps, double momentum) {
    auto x32 = x.to(torch::kFloat);
    const int64_t channels = x.size(1);
    std::vector<torch::Tensor> stats{torch::cat({x32.sum(kReduceDims, false, torch::kDouble),
                                                 x32.square().sum(kReduceDims, false, torch::kDouble),
                                                 torch::full({1}, static_cast<double>(x.numel() / channels),
                                                             x32.options().dtype(torch::kDouble))})};
    synchronised_over->all_reduce_sum(stats);
    const double count = stats[0][2 * channels].item<double>();
    auto mean = stats[0].narrow(0, 0, channels) / count;
    auto var = (stats[0].narrow(0, channels, channels) / count - mean.square()).clamp_min(0);
    {
      torch::NoGradGuard no_grad;
      running_mean.mul_(1 - momentum).add_(mean.to(running_mean.dtype()), momentum);
      running_var.mul_(1 - momentum).add_((var * (count / std::max(count - 1, 1.0))).to(running_var.dtype()), momentum);
    }
    auto mean32 = mean.to(torch::kFloat), invstd = (var + eps).rsqrt().to(torch::kFloat);
    auto xhat = (x32 - per_channel(mean32)) * per_channel(invstd);
    ctx->save_for_backward({x32, weight, mean32, invstd});
    ctx->saved_data["count"] = count;
    ctx->saved_data["dtype"] = static_cast<int64_t>(x.scalar_type());
    return (xhat * per_channel(weight) + per_channel(bias)).to(x.scalar_type());
  }

  static variable_list backward(AutogradContext* ctx, variable_list grad_outputs) {
    auto saved = ctx->get_saved_variables();
    auto x32 = saved[0], weight = saved[1], mean = saved[2], invstd = saved[3];
    const double count = ctx->saved_data["count"].toDouble();
    const auto dtype = static_cast<torch::ScalarType>(ctx->saved_data["dtype"].toInt());
    auto g = grad_outputs[0].to(torch::kFloat);
    auto xmu = x32 - per_channel(mean);
    const int64_t channels = x32.size(1);
    auto sum_dy = g.sum(kReduceDims), sum_dy_xmu = (g * xmu).sum(kReduceDims);
    // The weight and bias gradients are this rank's; the gradient averager averages them.
    auto grad_weight = sum_dy_xmu * invstd, grad_bias = sum_dy.clone();
    std::vector<torch::Tensor> sums{torch::cat({sum_dy, sum_dy_xmu})};
    synchronised_over->all_reduce_sum(sums);
    auto total_dy = sums[0].narrow(0, 0, channels), total_dy_xmu = sums[0].narrow(0, channels, channels);
    auto grad_x = per_channel(weight * invstd) *
                  (g - per_channel(total_dy / count) - xmu * per_channel(invstd.square() * total_dy_xmu / count));
    return {grad_x.to(dtype), grad_weight, grad_bias, torch::Tensor(), torch::Tensor(), torch::Tensor(),
            torch::Tensor()};
  }
};

torch::Tensor synchronised_batch_norm(torch::nn::BatchNorm2dImpl& bn, const torch::Tensor& x) {
  const auto& o = bn.options;
  if (o.momentum() == c10::nullopt) throw std::logic_error("--sync-bn: cumulative-average batch norm is not supported");
  {
    torch::NoGradGuard no_grad;
    bn.num_batches_tracked.add_(1);
  }
  return SyncBatchNorm::apply(x, bn.weight, bn.bias, bn.running_mean, bn.running_var, o.eps(), *o.momentum());
}

}  // namespace

void synchronise_batch_norm(Communicator* communicator) {
  synchronised_over = communicator;
  set_batch_norm_override(communicator ? synchronised_batch_norm : nullptr);
}

}  // namespace leuko
