// Explanations of a model trained on real C-NMC cells (cells on black): most of each Grad-CAM's
// mass lies on the cell, far more than the cell's share of the image. Needs ../shared/data's
// C-NMC fold 0 (skipped with a message without it): a sixth of it, 587 cells, trained for five
// epochs at 64 px without cropping, then every test cell explained (about 90 s on 2 cores).
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <vector>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "common/run_cli.h"
#include "common/test_paths.h"
#include "explain/heatmap_image.h"
#include "explain/map_checks.h"

namespace leuko {
namespace {
namespace fs = std::filesystem;
using test::run_cli;

TEST(CliExplainRealCells, GradCamMassLiesOnTheCellNotOnTheBlackBackground) {
  const std::string fold = "cnmc-fold0/C-NMC_Leukemia/training_data/fold_0";
  if (!test::has_shared(fold)) GTEST_SKIP() << "needs ../shared/data/" << fold;
  test::TempDir tmp;
  const fs::path subset = fs::path(tmp.str()) / "C-NMC_Leukemia/training_data/fold_0";
  for (const char* cls : {"all", "hem"}) {
    fs::create_directories(subset / cls);
    std::vector<fs::path> files;
    for (const auto& f : fs::directory_iterator(test::shared_data(fold) + "/" + cls)) files.push_back(f.path());
    std::sort(files.begin(), files.end());
    for (size_t i = 5; i < files.size(); i += 6) fs::create_symlink(files[i], subset / cls / files[i].filename());
  }
  const std::string run = tmp.str() + "/run", maps = tmp.str() + "/maps";
  auto trained = run_cli("train --data " + tmp.str() + "/C-NMC_Leukemia --model simple-cnn --preset small --image-size 64 "
                         "--epochs 5 --cache none --quiet --out " + run);
  ASSERT_EQ(trained.code, 0) << trained.err;
  auto explained = run_cli("evaluate " + run + " --explain " + maps + " --bootstrap 20 --cache none --quiet --out " + run);
  ASSERT_EQ(explained.code, 0) << explained.err;

  std::vector<double> on_cell;
  double area = 0;
  for (const auto& f : fs::directory_iterator(maps)) {
    const std::string path = f.path().string();
    if (path.size() < 17 || path.compare(path.size() - 17, 17, ".grad-cam.map.png") != 0) continue;
    cv::Mat map = map_from_16bit(cv::imread(path, cv::IMREAD_UNCHANGED));
    cv::Mat picture = cv::imread(path.substr(0, path.size() - 8) + ".png", cv::IMREAD_GRAYSCALE);
    ASSERT_FALSE(map.empty());
    ASSERT_FALSE(picture.empty());
    // The left panel is the cell as the model saw it; the cell is what is not black.
    const int side = (picture.cols - 4) / 2;
    cv::Mat view;
    cv::resize(picture(cv::Rect(0, 0, side, side)), view, map.size(), 0, 0, cv::INTER_AREA);
    cv::Mat cell = view > 20;
    if (cv::sum(map)[0] <= 0) continue;  // a flat map has no mass to place
    on_cell.push_back(mass_inside(map, cell));
    area += cv::countNonZero(cell) / double(cell.total());
  }
  ASSERT_GT(on_cell.size(), 50u);
  area /= static_cast<double>(on_cell.size());
  std::sort(on_cell.begin(), on_cell.end());
  const double median = on_cell[on_cell.size() / 2];
  double mean = 0;
  for (double v : on_cell) mean += v / static_cast<double>(on_cell.size());
  std::printf("%zu cells: Grad-CAM mass on the cell median %.3f, mean %.3f; the cell is %.3f of the image\n",
              on_cell.size(), median, mean, area);
  EXPECT_GT(median, 0.5) << "most of a typical map's mass on the cell";
  EXPECT_GT(mean, 2 * area) << "at least twice what a map blind to the cell would put there";
}

}  // namespace
}  // namespace leuko
