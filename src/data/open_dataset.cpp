#include <filesystem>

#include "common/error.h"
#include "common/regular_file.h"
#include "data/layouts.h"

namespace leuko {
namespace fs = std::filesystem;

Dataset open_dataset(const std::string& path, DataFormat format) {
  // path_status, not fs::exists: the latter throws on a symlink loop instead of answering.
  const PathStatus status = path_status(path);
  if (status.type == PathType::kUnreachable)
    throw UserError(path + ": " + (status.problem == "missing" ? "no such file or directory" : status.problem));
  switch (format) {
    case DataFormat::Cnmc: return read_cnmc(path);
    case DataFormat::Folder: return read_image_folder(path);
    case DataFormat::Csv: return read_csv_manifest(path);
    case DataFormat::Auto: break;
  }
  if (status.type != PathType::kFolder) {
    std::string ext = fs::path(path).extension().string();
    if (status.type == PathType::kRegular && (ext == ".csv" || ext == ".CSV")) return read_csv_manifest(path);
    if (status.type == PathType::kOther)
      throw UserError(path + ": " + status.problem + "; a dataset is a folder or a .csv manifest");
    throw UserError(path + ": a dataset is a folder or a .csv manifest");
  }
  if (!find_cnmc_root(path).empty()) return read_cnmc(path);
  return read_image_folder(path);
}

}  // namespace leuko
