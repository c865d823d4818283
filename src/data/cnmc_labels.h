#pragma once
// C-NMC's preliminary-test labels: the challenge renamed its validation images N.bmp and
// published, in validation_data/*.csv (`Patient_ID,new_names,labels`), which original cell each
// one is and its class (1 = ALL, 0 = HEM). read_cnmc (layouts.h) walks the tree; this file reads
// those CSVs and labels the renamed images. Kept apart from the walk because these bytes come from
// a download and are the part worth fuzzing on their own (fuzz/fuzz_cnmc_labels.cpp).
#include <map>
#include <string>
#include <vector>

#include "data/sample.h"

namespace leuko {

struct CnmcLabel {
  int label = kUnlabelled;  // 0 = all, 1 = hem (the Dataset's class order)
  std::string patient;      // from the row's original name, "" when it has none
  std::string where;        // FILE:LINE of the row
};

struct CnmcLabels {
  std::string csv;                                  // the (last) CSV read, "" when there was none
  std::map<std::string, CnmcLabel> by_name;         // new name (N.bmp) -> its row
  std::map<std::string, std::string> conflicting;   // new name -> why it is left out
  std::vector<SkippedFile> bad_rows;                // rows whose label is neither 1 nor 0, or
                                                    // whose new name is not a plain file name
  size_t repeated = 0;                              // rows repeating another (same name, same label)
};

// Reads every CSV of `csv_paths` into one table. A name given two labels is left out (a repeated
// row must not let the last label silently win); exact repeats count once. Throws UserError
// naming the file for an unreadable CSV or one without the new_names and labels columns.
CnmcLabels read_cnmc_labels(const std::vector<std::string>& csv_paths);

// Labels the images `files` of one renamed-image folder with `labels` as split "val" samples of
// `ds` (whose classes are {all, hem}); an image without a row, or with conflicting rows, and a
// row naming an image the folder lacks, go to ds.skipped with the reason.
void label_cnmc_images(const CnmcLabels& labels, const std::string& folder, const std::vector<std::string>& files,
                       Dataset& ds);

}  // namespace leuko
