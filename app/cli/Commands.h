#pragma once
// The moewb subcommands; each lives in its own <Name>Command.cpp.

#include <string>
#include <vector>

namespace moewb::cli {

int runCorpusCommand(const std::vector<std::string>& args);
int runBleuCommand(const std::vector<std::string>& args);
int runSystemCommand(const std::vector<std::string>& args);
int runTrainCommand(const std::vector<std::string>& args);
int runTranslateCommand(const std::vector<std::string>& args);
int runEvalCommand(const std::vector<std::string>& args);
int runInfoCommand(const std::vector<std::string>& args);
int runConvertCommand(const std::vector<std::string>& args);
int runProfileCommand(const std::vector<std::string>& args);
int runPartitionCommand(const std::vector<std::string>& args);
int runRouteCommand(const std::vector<std::string>& args);
int runFinetuneCommand(const std::vector<std::string>& args);
int runSweepCommand(const std::vector<std::string>& args);
int runDemoCommand(const std::vector<std::string>& args);
int runExportFiguresCommand(const std::vector<std::string>& args);

}  // namespace moewb::cli
