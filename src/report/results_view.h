#pragma once
// Named accessors for the parts of a leukoscope-results/1 file that several report parts read
// (the models, their evals, the class names), each tolerant of absent keys.
#include <string>
#include <vector>

#include "report/json_fields.h"

namespace leuko::report {

inline const json& models_of(const json& results) {
  static const json kEmpty = json::array();
  const json* models = array_field(results, "models");
  return models ? *models : kEmpty;
}

inline std::string model_name(const json& model, size_t index) {
  return text_field(model, "name").value_or("model " + std::to_string(index + 1));
}

inline const json* eval_of(const json& model) { return object_field(model, "eval"); }

// The eval's class list, else the dataset's.
inline std::vector<std::string> class_names(const json& results, const json* eval) {
  const json* classes = eval ? array_field(*eval, "classes") : nullptr;
  if (!classes)
    if (const json* dataset = object_field(results, "dataset")) classes = array_field(*dataset, "classes");
  std::vector<std::string> names;
  if (classes)
    for (const auto& c : *classes) names.push_back(scalar_text(c));
  return names;
}

}  // namespace leuko::report
