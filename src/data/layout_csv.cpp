#include <filesystem>
#include <map>
#include <set>

#include "common/error.h"
#include "common/regular_file.h"
#include "data/csv.h"
#include "data/layouts.h"

namespace leuko {
namespace fs = std::filesystem;

namespace {

// One file's key: two spellings of one file (imgs/a.png, ./imgs/a.png, a symlink to it) are the
// same file, so listing it twice is caught whatever the spelling.
std::string file_key(const std::string& path) {
  std::error_code ec;
  fs::path p = fs::weakly_canonical(path, ec);
  return (ec ? fs::path(path).lexically_normal() : p).string();
}

struct Listing {
  Sample sample;      // label not yet set: the classes are known once conflicts are left out
  std::string label;  // trimmed; "" = unlabelled
  int line = 0;
};

// Why the rows that list one file disagree, or "" when they agree. Hand-made manifests and
// public sets do file one image under two classes; training on both labels teaches noise, and
// one image in two splits leaks, so such a file is left out and named, with every line.
std::string disagreement(const std::vector<Listing>& rows) {
  struct Field {
    const char* name;
    std::string (*value)(const Listing&);
  };
  static const Field fields[] = {
      {"label", [](const Listing& r) { return r.label.empty() ? std::string("(none)") : r.label; }},
      {"split", [](const Listing& r) { return r.sample.split; }},
      {"patient", [](const Listing& r) { return r.sample.patient; }},
      {"group", [](const Listing& r) { return r.sample.group; }},
  };
  for (const auto& field : fields) {
    std::vector<std::pair<std::string, int>> values;  // distinct, in order, with the first line
    for (const auto& r : rows) {
      std::string v = field.value(r);
      bool known = false;
      for (const auto& [seen, line] : values) known |= seen == v;
      if (!known) values.push_back({v, r.line});
    }
    if (values.size() < 2) continue;
    std::string text = "listed with " + std::to_string(values.size()) + " different " + field.name + "s: ";
    for (size_t i = 0; i < values.size(); ++i)
      text += (i == 0 ? "" : i + 1 == values.size() ? " and " : ", ") + values[i].first + " (line " +
              std::to_string(values[i].second) + ")";
    return text + "; left out";
  }
  return {};
}

}  // namespace

Dataset read_csv_manifest(const std::string& csv_path) {
  CsvTable table = read_csv(csv_path);
  int c_path = table.column("path"), c_label = table.column("label");
  if (c_path < 0 || c_label < 0) throw UserError(csv_path + ": a dataset CSV needs columns path,label");
  int c_patient = table.column("patient"), c_group = table.column("group"), c_split = table.column("split");
  Dataset ds;
  ds.layout = "csv";
  ds.root = fs::path(csv_path).parent_path().string();

  // Spaces around a label are typing, not a class: "Benign " is Benign.
  size_t trimmed = 0;
  std::string trimmed_example;
  std::map<std::string, std::vector<Listing>> rows_of;  // file key -> every row naming it
  std::vector<std::string> order;                        // file keys, first listing first
  for (size_t r = 0; r < table.rows.size(); ++r) {
    const auto& row = table.rows[r];
    Listing listing;
    listing.line = table.line_numbers[r];
    const std::string& raw_label = row[static_cast<size_t>(c_label)];
    listing.label = trim_space(raw_label);
    if (listing.label != raw_label && ++trimmed == 1)
      trimmed_example = "'" + raw_label + "' -> '" + listing.label + "'";
    Sample& s = listing.sample;
    fs::path p(row[static_cast<size_t>(c_path)]);
    s.path = p.is_absolute() ? p.string() : (fs::path(ds.root) / p).string();
    if (c_patient >= 0) s.patient = trim_space(row[static_cast<size_t>(c_patient)]);
    if (c_group >= 0) s.group = trim_space(row[static_cast<size_t>(c_group)]);
    if (c_split >= 0) {
      s.split = trim_space(row[static_cast<size_t>(c_split)]);
      if (s.split != "train" && s.split != "val" && s.split != "test" && s.split != "all" && !s.split.empty())
        throw UserError(csv_path + ":" + std::to_string(listing.line) + ": split '" + s.split +
                        "' is not train, val, test or all");
    }
    if (s.split.empty()) s.split = "all";
    const std::string key = file_key(s.path);
    auto& rows = rows_of[key];
    if (rows.empty()) order.push_back(key);
    rows.push_back(std::move(listing));
  }

  std::vector<const Listing*> kept;  // one per file whose rows agree
  size_t repeated = 0;
  for (const auto& key : order) {
    const auto& rows = rows_of[key];
    if (std::string why = disagreement(rows); !why.empty()) {
      ds.skipped.push_back({rows.front().sample.path, why, rows.front().sample.split});
      continue;
    }
    repeated += rows.size() - 1;
    kept.push_back(&rows.front());
  }
  // Classes from the rows kept: a label seen only on conflicting rows would be a class without images.
  std::set<std::string> names;
  for (const Listing* r : kept)
    if (!r->label.empty()) names.insert(r->label);
  ds.classes.assign(names.begin(), names.end());
  for (const Listing* r : kept) {
    Sample s = r->sample;
    s.label = r->label.empty() ? kUnlabelled : ds.class_index(r->label);
    // Only ordinary files are images: a row naming a folder or a FIFO would make the decoder
    // ask for an absurd size or wait forever.
    PathStatus status = path_status(s.path);
    if (status.type != PathType::kRegular) {
      ds.skipped.push_back({s.path, "listed in " + csv_path + " but " + status.problem, s.split});
      continue;
    }
    ds.samples.push_back(std::move(s));
  }
  if (repeated)
    ds.notes.push_back(csv_path + ": " + std::to_string(repeated) +
                       " repeated row(s) (same file, same label) counted once");
  if (trimmed)
    ds.notes.push_back(csv_path + ": " + std::to_string(trimmed) + " label(s) had surrounding spaces, trimmed (e.g. " +
                       trimmed_example + ")");
  return ds;
}

}  // namespace leuko
