#include "data/split.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <random>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "common/atomic_file.h"
#include "common/error.h"
#include "data/csv.h"

namespace leuko {
namespace fs = std::filesystem;

namespace {

struct Group {
  std::string key;
  std::vector<size_t> members;
  int label = 0;  // majority label: the stratum the group is counted in
};

// Assigns whole groups, largest first, to whichever split is furthest below its target share of
// the group's class. Shuffling before the stable size sort makes equal-sized groups random.
void assign_groups(std::vector<Sample>& samples, std::vector<Group>& groups, size_t num_classes,
                   double val, double test, uint64_t seed) {
  const char* names[3] = {"train", "val", "test"};
  double share[3] = {1.0 - val - test, val, test};
  for (size_t c = 0; c < num_classes; ++c) {
    std::vector<Group*> in_class;
    double total = 0;
    for (auto& g : groups)
      if (g.label == static_cast<int>(c)) {
        in_class.push_back(&g);
        total += static_cast<double>(g.members.size());
      }
    std::mt19937_64 rng(seed * 1000003ULL + c);
    std::shuffle(in_class.begin(), in_class.end(), rng);
    std::stable_sort(in_class.begin(), in_class.end(),
                     [](const Group* a, const Group* b) { return a->members.size() > b->members.size(); });
    double have[3] = {0, 0, 0};
    for (Group* g : in_class) {
      int best = 0;
      double best_deficit = -1e300;
      for (int s = 0; s < 3; ++s) {
        if (share[s] <= 0) continue;
        double deficit = share[s] * total - have[s];
        // An empty split that should get something wins ties: every split sees every class.
        if (have[s] == 0) deficit += 0.5 * total;
        if (deficit > best_deficit) {
          best_deficit = deficit;
          best = s;
        }
      }
      have[best] += static_cast<double>(g->members.size());
      for (size_t i : g->members) samples[i].split = names[best];
    }
  }
}

std::vector<Group> build_groups(const std::vector<Sample>& samples, size_t num_classes) {
  std::map<std::string, Group> by_key;
  for (size_t i = 0; i < samples.size(); ++i) {
    Group& g = by_key[samples[i].group];
    g.key = samples[i].group;
    g.members.push_back(i);
  }
  std::vector<Group> groups;
  for (auto& [key, g] : by_key) {
    std::vector<int> votes(num_classes, 0);
    for (size_t i : g.members) votes[static_cast<size_t>(samples[i].label)]++;
    g.label = static_cast<int>(std::max_element(votes.begin(), votes.end()) - votes.begin());
    groups.push_back(std::move(g));
  }
  return groups;
}

}  // namespace

LeakageAudit audit_split(const Dataset& ds, const HashResult& hashes, int near_duplicate_bits) {
  LeakageAudit a;
  std::map<std::string, std::set<std::string>> group_splits, patient_splits;
  for (const auto& s : ds.samples) {
    group_splits[s.group].insert(s.split);
    if (!s.patient.empty()) {
      patient_splits[s.patient].insert(s.split);
      a.patients_known = true;
    }
  }
  for (const auto& [g, splits] : group_splits)
    if (splits.size() > 1) {
      ++a.groups_shared;
      if (a.examples.size() < 5) a.examples.push_back({"group " + g, "in " + std::to_string(splits.size()) + " splits"});
    }
  for (const auto& [p, splits] : patient_splits)
    if (splits.size() > 1) ++a.patients_shared;
  auto pairs = near_duplicate_pairs(hashes, near_duplicate_bits);
  a.near_duplicate_pairs = pairs.size();
  for (auto [i, j] : pairs)
    if (ds.samples[i].split != ds.samples[j].split) {
      ++a.near_duplicate_pairs_across;
      if (a.examples.size() < 10)
        a.examples.push_back({ds.samples[i].path + " (" + ds.samples[i].split + ")",
                              ds.samples[j].path + " (" + ds.samples[j].split + ")"});
    }
  return a;
}

SplitBy resolve_split_by(const Dataset& ds, SplitBy by) {
  // A manifest's own split column (a study's published cohorts) is the split: re-splitting it
  // without a word would mix the cohorts. Every labelled row must then carry one.
  if (ds.layout == "csv") {
    size_t with = 0, labelled = 0;
    bool train = false, test = false;
    for (const auto& s : ds.samples) {
      if (s.label == kUnlabelled) continue;
      ++labelled;
      with += s.split != "all";
      train |= s.split == "train";
      test |= s.split == "test";
    }
    if (with > 0 && by == SplitBy::Auto) {
      if (with < labelled)
        throw UserError(ds.root + ": " + std::to_string(with) + " of " + std::to_string(labelled) +
                        " rows give a split and the rest do not; give every row one, or pass --by patient|cluster|image "
                        "to ignore the split column");
      if (!train || !test)
        throw UserError(ds.root + ": the split column needs train and test rows (val is optional); or pass --by "
                        "patient|cluster|image to ignore it");
      return SplitBy::Official;
    }
    if (with > 0 && by != SplitBy::Official)
      std::fprintf(stderr, "note: %s: its split column is ignored: --by %s makes a new split\n", ds.root.c_str(),
                   choice_name(by));
  }
  if (by != SplitBy::Auto) return by;
  bool has_patients = !ds.samples.empty() && std::all_of(ds.samples.begin(), ds.samples.end(), [](const Sample& s) {
    return s.label == kUnlabelled || !s.patient.empty();
  });
  return has_patients ? SplitBy::Patient : SplitBy::Cluster;
}

SplitResult make_split(const Dataset& input, const SplitOptions& o) {
  // Written so that NaN fails too.
  if (!(o.val >= 0 && o.test >= 0 && o.val + o.test < 1.0))
    throw UserError("--val and --test must be >= 0 and sum to less than 1");
  SplitResult r;
  r.by = resolve_split_by(input, o.by);
  r.dataset = input;
  r.dataset.samples.clear();
  for (const auto& s : input.samples) {
    if (s.label == kUnlabelled) ++r.unlabelled_dropped;
    else r.dataset.samples.push_back(s);
  }
  auto& samples = r.dataset.samples;
  if (samples.empty()) throw UserError(input.root + ": no labelled images to split");

  std::vector<std::string> paths;
  for (const auto& s : samples) paths.push_back(s.path);
  HashResult hashes = hash_files(paths, o.threads);

  if (r.by == SplitBy::Patient) {
    for (auto& s : samples) {
      if (s.patient.empty())
        throw UserError(input.root + ": --by patient needs patient ids, and " + s.path +
                        " has none (this layout does not encode patients; use --by cluster)");
      s.group = s.patient;
    }
  } else if (r.by == SplitBy::Cluster) {
    auto ids = cluster_ids(samples.size(), near_duplicate_pairs(hashes, o.near_duplicate_bits));
    for (size_t i = 0; i < samples.size(); ++i) samples[i].group = "cluster_" + std::to_string(ids[i]);
  } else if (r.by == SplitBy::Image) {
    for (auto& s : samples) s.group = s.path;
  } else {  // official
    for (auto& s : samples) s.group = s.patient.empty() ? s.path : s.patient;
  }

  if (r.by == SplitBy::Official) {
    if (input.layout == "cnmc") {
      // C-NMC: the challenge's own patient-disjoint folds; the last fold validates, the labelled
      // preliminary-test set (validation_data) is the test set.
      std::string last_fold;
      for (const auto& s : samples) last_fold = std::max(last_fold, s.fold);
      for (auto& s : samples) {
        if (s.split == "val") s.split = "test";
        else if (s.split == "train" && s.fold == last_fold) s.split = "val";
      }
    } else {
      bool has_train = false, has_val = false, has_test = false;
      for (const auto& s : samples) {
        has_train |= s.split == "train";
        has_val |= s.split == "val";
        has_test |= s.split == "test";
      }
      if (!has_train || !has_test)
        throw UserError(input.root + ": --by official needs a layout with its own train and test splits");
      if (!has_val) {
        std::vector<Sample> train;
        std::vector<size_t> where;
        for (size_t i = 0; i < samples.size(); ++i)
          if (samples[i].split == "train") {
            train.push_back(samples[i]);
            where.push_back(i);
          }
        auto groups = build_groups(train, r.dataset.classes.size());
        assign_groups(train, groups, r.dataset.classes.size(), o.val, 0.0, o.seed);
        for (size_t k = 0; k < where.size(); ++k) samples[where[k]].split = train[k].split;
      }
    }
  } else {
    auto groups = build_groups(samples, r.dataset.classes.size());
    assign_groups(samples, groups, r.dataset.classes.size(), o.val, o.test, o.seed);
  }
  r.audit = audit_split(r.dataset, hashes, o.near_duplicate_bits);
  return r;
}

void write_split_csv(const std::string& path, const Dataset& ds) {
  fs::path base = fs::absolute(fs::path(path)).parent_path();
  std::ostringstream out;
  out << "path,label,patient,group,split\n";
  for (const auto& s : ds.samples) {
    fs::path p = fs::absolute(s.path);
    std::error_code ec;
    fs::path rel = fs::relative(p, base, ec);
    // Relative only inside the split file's folder: a run directory moved together with its
    // data stays valid, and nothing else depends on the current directory.
    bool inside = !ec && !rel.empty() && rel.begin()->string() != "..";
    std::string shown = inside ? rel.generic_string() : p.lexically_normal().string();
    out << csv_escape(shown) << ',' << csv_escape(ds.classes.at(static_cast<size_t>(s.label))) << ','
        << csv_escape(s.patient) << ',' << csv_escape(s.group) << ',' << s.split << '\n';
  }
  write_file_atomically(path, out.str());
}

std::string split_summary_text(const SplitResult& r) {
  std::ostringstream out;
  std::map<std::string, std::map<std::string, int>> counts;
  std::map<std::string, std::set<std::string>> groups;
  for (const auto& s : r.dataset.samples) {
    counts[s.split][r.dataset.classes[static_cast<size_t>(s.label)]]++;
    groups[s.split].insert(s.group);
  }
  out << "split by " << choice_name(r.by) << "\n";
  for (const char* split : {"train", "val", "test"}) {
    out << "  " << split << ":";
    int total = 0;
    for (const auto& c : r.dataset.classes) {
      int n = counts[split][c];
      total += n;
      out << "  " << c << " " << n;
    }
    out << "  (total " << total << ", " << groups[split].size() << " groups)\n";
  }
  if (r.unlabelled_dropped) out << "  unlabelled images left out: " << r.unlabelled_dropped << "\n";
  const auto& a = r.audit;
  out << "leakage audit\n";
  out << "  groups in more than one split:   " << a.groups_shared << "\n";
  if (a.patients_known) out << "  patients in more than one split: " << a.patients_shared << "\n";
  else out << "  patients in more than one split: unknown (no patient ids in this layout)\n";
  out << "  near-duplicate pairs across splits: " << a.near_duplicate_pairs_across << " of "
      << a.near_duplicate_pairs << " found\n";
  for (const auto& [x, y] : a.examples) out << "    " << x << "  <->  " << y << "\n";
  out << (a.clean() ? "  verdict: no leakage found\n" : "  verdict: LEAKS — test scores will be optimistic\n");
  return out.str();
}

nlohmann::json split_summary_json(const SplitResult& r) {
  nlohmann::json j;
  j["by"] = choice_name(r.by);
  std::map<std::string, std::map<std::string, int>> counts;
  for (const auto& s : r.dataset.samples) counts[s.split][r.dataset.classes[static_cast<size_t>(s.label)]]++;
  j["counts"] = counts;
  j["unlabelled_dropped"] = r.unlabelled_dropped;
  j["audit"] = {{"groups_shared", r.audit.groups_shared},
                {"patients_shared", r.audit.patients_known ? nlohmann::json(r.audit.patients_shared) : nlohmann::json()},
                {"near_duplicate_pairs", r.audit.near_duplicate_pairs},
                {"near_duplicate_pairs_across", r.audit.near_duplicate_pairs_across},
                {"clean", r.audit.clean()}};
  return j;
}

}  // namespace leuko
