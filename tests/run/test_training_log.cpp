// RUN/log.jsonl (run/training_log.h): what the trainer writes is what `evaluate`, `study` and
// `report` read back, field by field; logs written before a field existed still read.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "common/error.h"
#include "run/training_log.h"

namespace leuko {
namespace {

// Every field a different value: a field written under another's name, or read into another's
// member, changes the record.
EpochRecord distinct_record(int epoch) {
  EpochRecord e;
  e.epoch = epoch;
  e.lr = 0.001 * (epoch + 1);
  e.train_loss = 0.7 + epoch;
  e.val_loss = 0.5 + epoch;
  e.val_acc = 0.81;
  e.val_f1_macro = 0.79;
  e.seconds = 41.25;
  e.img_per_s = 60.5;
  e.collective_seconds = 1.5;
  e.loader_wait_seconds = 0.25;
  return e;
}

void expect_same(const EpochRecord& a, const EpochRecord& b) {
  EXPECT_EQ(a.epoch, b.epoch);
  EXPECT_DOUBLE_EQ(a.lr, b.lr);
  EXPECT_DOUBLE_EQ(a.train_loss, b.train_loss);
  EXPECT_DOUBLE_EQ(a.val_loss, b.val_loss);
  EXPECT_DOUBLE_EQ(a.val_acc, b.val_acc);
  EXPECT_DOUBLE_EQ(a.val_f1_macro, b.val_f1_macro);
  EXPECT_DOUBLE_EQ(a.seconds, b.seconds);
  EXPECT_DOUBLE_EQ(a.img_per_s, b.img_per_s);
  EXPECT_DOUBLE_EQ(a.collective_seconds, b.collective_seconds);
  EXPECT_DOUBLE_EQ(a.loader_wait_seconds, b.loader_wait_seconds);
}

TEST(TrainingLog, EveryFieldReadsBackAsWritten) {
  const EpochRecord first = distinct_record(0), second = distinct_record(1);
  const auto log = parse_training_log(epoch_line(first) + "\n" + epoch_line(second) + "\n", "log.jsonl");
  ASSERT_EQ(log.size(), 2u);
  expect_same(log[0], first);
  expect_same(log[1], second);
}

TEST(TrainingLog, TheLineCarriesTheReadmeNames) {
  const auto j = nlohmann::json::parse(epoch_line(distinct_record(3)));
  EXPECT_EQ(j.at("epoch").get<int>(), 3);
  EXPECT_DOUBLE_EQ(j.at("val_f1_macro").get<double>(), 0.79);
  EXPECT_DOUBLE_EQ(j.at("collective_s").get<double>(), 1.5);
  EXPECT_DOUBLE_EQ(j.at("loader_wait_s").get<double>(), 0.25);
  EXPECT_EQ(j.size(), 10u);  // a new field is added to this test and to the README's contract
}

TEST(TrainingLog, ALogFromBeforeTheTimersReadsWithZeros) {
  const std::string old_line =
      R"({"epoch": 0, "lr": 0.001, "train_loss": 0.9, "val_loss": 0.8, "val_acc": 0.7, "val_f1_macro": 0.6, )"
      R"("seconds": 12.0, "img_per_s": 30.0})";
  const auto log = parse_training_log(old_line + "\n\n", "old/log.jsonl");  // a blank line is no epoch
  ASSERT_EQ(log.size(), 1u);
  EXPECT_DOUBLE_EQ(log[0].val_f1_macro, 0.6);
  EXPECT_DOUBLE_EQ(log[0].collective_seconds, 0.0);
  EXPECT_DOUBLE_EQ(log[0].loader_wait_seconds, 0.0);
}

TEST(TrainingLog, AMissingMeasuredFieldIsAnErrorNamingTheLine) {
  const std::string line = epoch_line(distinct_record(0));
  nlohmann::json j = nlohmann::json::parse(line);
  j.erase("val_loss");
  try {
    parse_training_log(line + "\n" + j.dump() + "\n", "RUN/log.jsonl");
    FAIL() << "a line without val_loss was accepted";
  } catch (const UserError& e) {
    EXPECT_EQ(std::string(e.what()).rfind("RUN/log.jsonl:2: ", 0), 0u) << e.what();
    EXPECT_NE(std::string(e.what()).find("val_loss"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace leuko
