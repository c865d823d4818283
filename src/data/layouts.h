#pragma once
// The three dataset layouts leukoscope reads. Each reader lists candidate files and their labels
// without decoding them; validate_samples() (scan.h) decodes and moves bad files to `skipped`.
#include <string>

#include "common/choice.h"
#include "data/sample.h"

namespace leuko {

enum class DataFormat { Auto, Cnmc, Folder, Csv };
LEUKO_CHOICES(DataFormat, {DataFormat::Auto, "auto"}, {DataFormat::Cnmc, "cnmc"}, {DataFormat::Folder, "folder"},
              {DataFormat::Csv, "csv"});

// The Kaggle "Leukemia Classification" copy of C-NMC 2019, exactly as downloaded:
//   training_data/fold_K/{all,hem}/UID_<patient>_<image>_<cell>_{all,hem}.bmp   -> split "train"
//   validation_data/<labels>.csv + validation_data/C-NMC_test_prelim_phase_data/N.bmp -> "val"
//   testing_data/C-NMC_test_final_phase_data/N.bmp (no labels)                  -> "test"
// `root` may be the C-NMC_Leukemia folder or any folder holding it.
bool is_cnmc_root(const std::string& dir);
std::string find_cnmc_root(const std::string& dir);  // "" when not a C-NMC tree
Dataset read_cnmc(const std::string& root);

// Patient id from a C-NMC file name ("UID_H10_3_2_hem.bmp" -> "H10"; "UID_h3_..." -> "H3").
std::string cnmc_patient_from_name(const std::string& file_name);

// Class-per-folder (torchvision ImageFolder): ROOT/<class>/**/image -- a class is a folder
// directly under ROOT, its images found at any depth beneath it. Classes sorted by name.
// ROOT/{train,val,test}/<class>/... keeps those splits. An empty class folder is not a class
// (it is listed as skipped); fewer than two classes is a UserError naming the folders found.
// Symlink loops, dangling links, FIFOs and unreadable folders are listed as skipped.
Dataset read_image_folder(const std::string& root);

// A CSV manifest `path,label[,patient][,group][,split]`, paths relative to the CSV's folder.
// Labels (and patient, group, split) are trimmed of surrounding spaces. A file listed on rows
// that disagree (two labels, two splits...) is left out and listed as skipped with every line;
// exact repeats count once, with a note. Rows naming a missing file or anything but an
// ordinary file are listed as skipped.
Dataset read_csv_manifest(const std::string& csv_path);

// Auto-detects or forces the layout. Throws UserError naming the path when it is none of them.
Dataset open_dataset(const std::string& path, DataFormat format = DataFormat::Auto);

}  // namespace leuko
