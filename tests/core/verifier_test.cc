// The verifier's record and report.
#include <gtest/gtest.h>

#include "sim/core/verifier.h"

namespace vmbsim {
namespace {

TEST(Verifier, RecordsRuleViolationsWithCodeAndSeverity) {
  Verifier v;
  v.violation(41, "VmbPacketFree", 3, "packet P7", "freed while pending", 100);
  v.violation(43, "VmbChannelCleanup", 3, "packet P8", "leaked", 200);
  ASSERT_EQ(v.findings().size(), 2u);
  EXPECT_EQ(v.findings()[0].code, "KMCL-R41");
  EXPECT_EQ(v.findings()[0].severity, Severity::Error);
  EXPECT_EQ(v.findings()[1].severity, Severity::Warning);  // rule 43 is a warning
  EXPECT_EQ(v.count(41), 1u);
  EXPECT_EQ(v.count(42), 0u);
  EXPECT_EQ(v.error_count(), 1u);
  EXPECT_FALSE(v.clean());
}

TEST(Verifier, WarningsAloneKeepTheVerdictClean) {
  Verifier v;
  v.violation(52, "VmbPacketSend", 1, "packet P1", "queued while closed", 0);
  v.violation(45, "VmbPacketSend", 1, "packet P2", "FORCE_MDL_LENGTH", 0, /*warning_only=*/true);
  EXPECT_TRUE(v.clean());
  EXPECT_NE(v.report().find("verdict: PASS"), std::string::npos);
}

TEST(Verifier, ReportNamesRuleChannelObjectAndCall) {
  Verifier v;
  v.violation(40, "VmbPacketFree", 9, "packet P12", "double free", 0);
  std::string line = v.findings()[0].to_string();
  EXPECT_NE(line.find("KMCL-R40"), std::string::npos);
  EXPECT_NE(line.find("VmbPacketFree"), std::string::npos);
  EXPECT_NE(line.find("channel 9"), std::string::npos);
  EXPECT_NE(line.find("packet P12"), std::string::npos);
  EXPECT_NE(v.report().find("verdict: FAIL"), std::string::npos);
}

TEST(Verifier, DiagnosticsAreCountedSeparately) {
  Verifier v;
  v.diagnostic(Diagnostic::PeerError, "host", 1, "channel 1", "bad txid", 0);
  v.diagnostic(Diagnostic::Hang, "VmbChannelDisable", 1, "channel 1", "would hang", 0);
  EXPECT_EQ(v.count(Diagnostic::PeerError), 1u);
  EXPECT_EQ(v.count(Diagnostic::Hang), 1u);
  EXPECT_EQ(v.findings()[0].code, "SIM-PEER");
  // A hang is an error of the driver's making; hostile peer input is not.
  EXPECT_EQ(v.error_count(), 1u);
}

TEST(Verifier, ObserverSeesEachFinding) {
  Verifier v;
  int seen = 0;
  v.set_observer([&](const Finding&) { ++seen; });
  v.violation(2, "VmbPacketSend", 0, "VMBPACKET 0x0", "NULL", 0);
  v.diagnostic(Diagnostic::Unanswered, "shutdown", 1, "packet P1", "no answer", 0);
  EXPECT_EQ(seen, 2);
}

TEST(VerifierDeathTest, FailFastAbortsOnTheFirstError) {
  Verifier v(VerifierMode::FailFast);
  v.violation(52, "VmbPacketSend", 1, "packet P1", "warning only", 0);  // warnings do not abort
  EXPECT_DEATH(v.violation(40, "VmbPacketFree", 1, "packet P1", "double free", 0), "KMCL-R40");
}

TEST(Rules, EveryRuleOfSection6HasAnEntry) {
  for (int n = 1; n <= 67; ++n) {
    EXPECT_EQ(rule_info(n).number, n);
    EXPECT_NE(std::string(rule_info(n).title), "");
  }
  EXPECT_EQ(rule_info(68).number, 0);
}

}  // namespace
}  // namespace vmbsim
