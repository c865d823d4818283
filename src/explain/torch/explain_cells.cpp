#include "explain/torch/explain_cells.h"

#include <cstdio>
#include <filesystem>
#include <sstream>

#include <opencv2/core.hpp>
#include <torch/torch.h>

#include "common/atomic_file.h"
#include "common/count_progress.h"
#include "common/error.h"
#include "data/csv.h"
#include "explain/heatmap_image.h"
#include "explain/torch/explainer.h"

namespace leuko {

namespace {

namespace fs = std::filesystem;

// The batch back to 8-bit RGB HxWx3, undoing the run's normalisation: the image as the model saw
// it (after denoising, cropping and resizing), which is what the map is aligned with.
std::vector<cv::Mat> model_view(const torch::Tensor& x, const Normalisation& norm) {
  auto mean = torch::tensor(std::vector<float>(norm.mean.begin(), norm.mean.end())).view({1, 3, 1, 1});
  auto std = torch::tensor(std::vector<float>(norm.std.begin(), norm.std.end())).view({1, 3, 1, 1});
  auto rgb = ((x.to(torch::kCPU, torch::kFloat) * std + mean) * 255.0).round().clamp(0, 255).to(torch::kUInt8);
  rgb = rgb.permute({0, 2, 3, 1}).contiguous();
  std::vector<cv::Mat> out;
  for (int64_t i = 0; i < rgb.size(0); ++i) {
    auto one = rgb[i];
    out.push_back(cv::Mat(static_cast<int>(one.size(0)), static_cast<int>(one.size(1)), CV_8UC3, one.data_ptr<uint8_t>()).clone());
  }
  return out;
}

cv::Mat map_mat(const torch::Tensor& map) {
  auto m = map.contiguous();
  return cv::Mat(static_cast<int>(m.size(0)), static_cast<int>(m.size(1)), CV_32F, m.data_ptr<float>()).clone();
}

std::string numbered_stem(size_t index, const std::string& path, size_t count) {
  const int digits = std::max<int>(4, static_cast<int>(std::to_string(count).size()));
  char number[32];
  std::snprintf(number, sizeof number, "%0*zu", digits, index);
  return std::string(number) + "-" + fs::path(path).stem().string();
}

}  // namespace

std::vector<ExplainedCell> explain_cells(TrainedModel& trained, const torch::Device& device, LoaderOptions loader,
                                         const std::vector<CellToExplain>& cells, const std::string& out_dir,
                                         bool show_progress) {
  std::error_code ec;
  fs::create_directories(out_dir, ec);
  if (ec || !fs::is_directory(out_dir)) throw UserError(out_dir + ": cannot create the explanations folder" + (ec ? " (" + ec.message() + ")" : ""));

  std::vector<Sample> samples;
  for (const auto& c : cells) samples.push_back(c.sample);
  // Explaining keeps a graph per batch: smaller batches than scoring keep the memory modest.
  loader.batch_size = std::min(loader.batch_size, 16);
  loader.shuffle = false;
  loader.augment = false;
  BatchLoader batches(samples, loader);

  std::vector<ExplainedCell> written;
  CountProgress progress("explain", cells.size(), show_progress);
  batches.start_epoch(0);
  while (auto batch = batches.next()) {
    std::vector<int64_t> targets;
    for (size_t i : batch->sample_index) targets.push_back(cells[i].target);
    auto x = batch->images.to(device);
    auto heatmaps = explain(*trained.model, x, torch::tensor(targets, torch::kInt64));
    auto views = model_view(batch->images, loader.normalisation);
    for (size_t b = 0; b < batch->sample_index.size(); ++b) {
      const size_t i = batch->sample_index[b];
      const std::string stem = (fs::path(out_dir) / numbered_stem(i, cells[i].sample.path, cells.size())).string();
      for (const auto& h : heatmaps) {
        cv::Mat map = map_mat(h.maps[static_cast<int64_t>(b)]);
        ExplainedCell e{cells[i].sample.path, cells[i].target, h.method, stem + "." + h.method + ".png", stem + "." + h.method + ".map.png"};
        write_png(e.picture, heatmap_side_by_side(views[b], map, cells[i].caption + "  (" + h.method + ")"));
        write_png(e.map, map_to_16bit(map));
        written.push_back(std::move(e));
      }
    }
    progress.advance(batch->sample_index.size());
  }

  std::ostringstream csv;
  csv << "path,class,method,picture,map\n";
  const auto& classes = trained.record.classes;
  for (const auto& e : written) {
    const std::string name = e.target >= 0 && e.target < static_cast<int>(classes.size()) ? classes[static_cast<size_t>(e.target)] : std::to_string(e.target);
    csv << csv_escape(e.path) << ',' << csv_escape(name) << ',' << e.method << ',' << csv_escape(e.picture) << ','
        << csv_escape(e.map) << '\n';
  }
  write_file_atomically((fs::path(out_dir) / "explanations.csv").string(), csv.str());
  return written;
}

}  // namespace leuko
