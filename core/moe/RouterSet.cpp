#include "moewb/moe/RouterSet.h"

#include "../nmt/TokenBatches.h"
#include "moewb/nmt/NmtModel.h"
#include "moewb/util/JsonFile.h"

#include <torch/torch.h>

#include <stdexcept>

namespace moewb {
namespace {

constexpr int kRouterVersion = 1;

// Records the FFN inputs (and token ids) of real tokens and otherwise computes the dense FFN.
class InputCapture : public FfnOverride {
public:
    void setTokenMask(const torch::Tensor& mask) {
        m_rows = mask.reshape({-1}).nonzero().squeeze(1);
    }
    torch::Tensor forward(const FeedForwardImpl& ffn, const torch::Tensor& x) override {
        return forward(ffn, x, torch::Tensor());
    }
    torch::Tensor forward(const FeedForwardImpl& ffn, const torch::Tensor& x,
                          const torch::Tensor& tokenIds) override {
        m_seen.push_back(x.index_select(0, m_rows).clone());
        if (!tokenIds.defined()) {
            throw std::logic_error("the Transformer passed no token ids to the FFN");
        }
        m_ids.push_back(tokenIds.index_select(0, m_rows).clone());
        return ffn.dense(x);
    }
    torch::Tensor inputs() const { return torch::cat(m_seen, 0); }
    torch::Tensor tokenIds() const { return torch::cat(m_ids, 0); }

private:
    torch::Tensor m_rows;
    std::vector<torch::Tensor> m_seen, m_ids;
};

nlohmann::json tensorToJson(const torch::Tensor& t) {
    const auto c = t.contiguous().to(torch::kFloat);
    return {{"shape", c.sizes().vec()},
            {"data", std::vector<float>(c.data_ptr<float>(), c.data_ptr<float>() + c.numel())}};
}

torch::Tensor tensorFromJson(const nlohmann::json& j) {
    const auto shape = j.at("shape").get<std::vector<int64_t>>();
    auto data = j.at("data").get<std::vector<float>>();
    auto t = torch::tensor(data, torch::kFloat);
    if (t.numel() != c10::multiply_integers(shape)) {
        throw std::runtime_error("tensor data does not match its shape");
    }
    return t.view(shape).clone();
}

}  // namespace

std::vector<std::shared_ptr<ExpertFfn>> buildExperts(NmtModel& model, const PartitionSet& set) {
    auto ffns = model.transformer()->feedForwards();
    if (set.layers.size() != ffns.size()) {
        throw std::invalid_argument("the partition has " + std::to_string(set.layers.size()) +
                                    " layers, the model " + std::to_string(ffns.size()) +
                                    "; partition this model again");
    }
    std::vector<std::shared_ptr<ExpertFfn>> experts;
    for (std::size_t l = 0; l < ffns.size(); ++l) {
        experts.push_back(std::make_shared<ExpertFfn>(*ffns[l], set.layers[l]));
    }
    return experts;
}

std::vector<torch::Tensor> collectFfnInputs(NmtModel& model, const std::vector<SentencePair>& pairs,
                                            int64_t tokenBudget, Feedback& feedback,
                                            std::vector<torch::Tensor>* tokenIds) {
    auto& transformer = model.transformer();
    auto ffns = transformer->feedForwards();
    // The captures go in a plan of this call only: the model stays as it is for other threads.
    std::vector<std::shared_ptr<InputCapture>> captures;
    FfnPlan plan;
    for (std::size_t l = 0; l < ffns.size(); ++l) {
        captures.push_back(std::make_shared<InputCapture>());
        plan.layers.push_back(captures.back());
    }
    const FfnPlanScope scope(&plan);
    const auto tokens = tokenizePairs(model.tokenizer(), pairs, model.config().maxPositions - 2);
    std::vector<const TokenPair*> chosen;
    int64_t budget = 0;
    for (const auto& t : tokens) {
        if (budget >= tokenBudget) {
            break;
        }
        chosen.push_back(&t);
        budget += static_cast<int64_t>(t.source.size() + t.target.size() + 1);
    }
    transformer->eval();
    torch::InferenceMode inference;
    int64_t done = 0;
    for (const auto& batch : makeBatches(chosen, 3000, nullptr)) {
        feedback.throwIfCancelled();
        const auto srcReal = batch.source.ne(SentencePieceModel::kPadId);
        const auto tgtReal = batch.targetIn.ne(SentencePieceModel::kPadId);
        for (std::size_t l = 0; l < captures.size(); ++l) {
            captures[l]->setTokenMask(static_cast<int>(l) < model.config().encoderLayers ? srcReal
                                                                                         : tgtReal);
        }
        transformer->forward(batch.source, batch.targetIn);
        done += batch.tokens;
        feedback.setProgress(std::min(1.0, double(done) / std::max<int64_t>(budget, 1)),
                             "collecting FFN inputs");
    }
    std::vector<torch::Tensor> inputs;
    for (const auto& c : captures) {
        inputs.push_back(c->inputs());
    }
    if (tokenIds) {
        tokenIds->clear();
        for (const auto& c : captures) {
            tokenIds->push_back(c->tokenIds());
        }
    }
    return inputs;
}

RouterSet trainRouters(const std::vector<std::shared_ptr<ExpertFfn>>& experts,
                       const std::vector<torch::Tensor>& inputs,
                       const RouterTrainingOptions& options, Feedback& feedback,
                       const std::vector<torch::Tensor>* tokenIds) {
    if (experts.size() != inputs.size()) {
        throw std::invalid_argument("one input tensor per layer is needed");
    }
    const bool byToken = options.kind == "hash";
    if (byToken && (!tokenIds || tokenIds->size() != inputs.size())) {
        throw std::invalid_argument(
            "the hash router needs the token id of every FFN input to measure its quality: "
            "pass the token ids collectFfnInputs gives back");
    }
    RouterSet set;
    set.kind = options.kind;
    for (std::size_t l = 0; l < experts.size(); ++l) {
        SubFeedback layerFeedback(feedback, double(l) / experts.size(),
                                  double(l + 1) / experts.size());
        const auto& x = inputs[l];
        // A fixed shuffle separates the held-out tokens (also from the MLP's own validation).
        torch::manual_seed(static_cast<uint64_t>(options.mlp.seed + l));
        const auto order = torch::randperm(x.size(0));
        const int64_t heldOut = std::max<int64_t>(1, int64_t(x.size(0) * options.heldOutShare));
        const auto testRows = order.narrow(0, 0, heldOut);
        const auto test = x.index_select(0, testRows);
        const auto train = x.index_select(0, order.narrow(0, heldOut, x.size(0) - heldOut));
        torch::Tensor testIds;
        if (byToken) {
            if ((*tokenIds)[l].numel() != x.size(0)) {
                throw std::invalid_argument("layer " + std::to_string(l) + " has " +
                                            std::to_string(x.size(0)) + " FFN inputs but " +
                                            std::to_string((*tokenIds)[l].numel()) + " token ids");
            }
            testIds = (*tokenIds)[l].reshape({-1}).index_select(0, testRows);
        }
        std::shared_ptr<Router> router;
        if (options.kind == "oracle") {
            router = std::make_shared<OracleRouter>();
        } else if (options.kind == "similarity") {
            router = std::make_shared<SimilarityRouter>(*experts[l]);
        } else if (options.kind == "mlp") {
            auto mlp = std::make_shared<MlpRouter>(*experts[l]);
            mlp->train(train, *experts[l], options.mlp, layerFeedback);
            router = mlp;
        } else if (options.kind == "hash") {
            // Nothing to learn: the table is fixed by the seed (MoEBERT).
            router = std::make_shared<HashRouter>(options.hashSeed + l, experts[l]->numExperts());
        } else {
            throw std::invalid_argument("unknown router '" + options.kind +
                                        "': choose oracle, similarity, mlp or hash");
        }
        set.quality.push_back(evaluateRouter(*router, *experts[l], test, testIds));
        set.layers.push_back(router);
    }
    feedback.setProgress(1.0, "routers ready");
    return set;
}

void saveRouterSet(const std::string& path, const RouterSet& set) {
    nlohmann::json layers = nlohmann::json::array();
    for (std::size_t l = 0; l < set.layers.size(); ++l) {
        nlohmann::json layer = {{"recall", set.quality[l].recall},
                                {"mass_coverage", set.quality[l].massCoverage},
                                {"load", set.quality[l].load},
                                {"load_cv", set.quality[l].loadCv}};
        if (const auto* mlp = dynamic_cast<const MlpRouter*>(set.layers[l].get())) {
            layer["first"] = tensorToJson(mlp->first());
            layer["second"] = tensorToJson(mlp->second());
        } else if (const auto* gate = dynamic_cast<const GateRouter*>(set.layers[l].get())) {
            layer["weight"] = tensorToJson(gate->weight());
        } else if (const auto* hash = dynamic_cast<const HashRouter*>(set.layers[l].get())) {
            layer["seed"] = hash->seed();
            layer["num_experts"] = hash->numExperts();
        }
        layers.push_back(layer);
    }
    nlohmann::json document = {
        {"kind", set.kind}, {"partition", set.partition}, {"layers", layers}};
    if (!set.model.empty()) {
        document["model"] = set.model;
    }
    writeJsonFile(path, document, "moewb-router", kRouterVersion);
}

RouterFileHeader readRouterHeader(const std::string& path) {
    const auto document = readJsonFile(path, "moewb-router", kRouterVersion);
    RouterFileHeader header;
    try {
        header.kind = document.at("kind");
        header.partition = document.value("partition", std::string());
        header.model = document.value("model", std::string());
    } catch (const nlohmann::json::exception& error) {
        throw std::runtime_error(path + ": not a router file (" + error.what() + ")");
    }
    return header;
}

RouterSet loadRouterSet(const std::string& path,
                        const std::vector<std::shared_ptr<ExpertFfn>>& experts) {
    const auto document = readJsonFile(path, "moewb-router", kRouterVersion);
    RouterSet set;
    try {
        set.kind = document.at("kind");
        set.partition = document.value("partition", std::string());
        set.model = document.value("model", std::string());
        const auto& layers = document.at("layers");
        if (layers.size() != experts.size()) {
            throw std::runtime_error("it has " + std::to_string(layers.size()) +
                                     " layers, the partition " + std::to_string(experts.size()));
        }
        for (std::size_t l = 0; l < layers.size(); ++l) {
            const auto& layer = layers[l];
            set.quality.push_back({layer.at("recall").get<std::vector<double>>(),
                                   layer.at("mass_coverage").get<std::vector<double>>(),
                                   layer.value("load", std::vector<std::vector<double>>()),
                                   layer.value("load_cv", std::vector<double>())});
            if (set.kind == "mlp") {
                set.layers.push_back(std::make_shared<MlpRouter>(
                    tensorFromJson(layer.at("first")), tensorFromJson(layer.at("second"))));
            } else if (set.kind == "gate") {
                const auto weight = tensorFromJson(layer.at("weight"));
                if (weight.dim() != 2 || weight.size(0) != experts[l]->numExperts() ||
                    weight.size(1) != experts[l]->dModel()) {
                    throw std::runtime_error("layer " + std::to_string(l) +
                                             "'s gate does not fit the partition's " +
                                             std::to_string(experts[l]->numExperts()) +
                                             " experts: fine-tune with this partition again");
                }
                set.layers.push_back(std::make_shared<GateRouter>(weight));
            } else if (set.kind == "similarity") {
                set.layers.push_back(std::make_shared<SimilarityRouter>(*experts[l]));
            } else if (set.kind == "oracle") {
                set.layers.push_back(std::make_shared<OracleRouter>());
            } else if (set.kind == "hash") {
                const int n = layer.at("num_experts").get<int>();
                if (n != experts[l]->numExperts()) {
                    throw std::runtime_error("layer " + std::to_string(l) + " hashes to " +
                                             std::to_string(n) + " experts, the partition has " +
                                             std::to_string(experts[l]->numExperts()));
                }
                set.layers.push_back(
                    std::make_shared<HashRouter>(layer.at("seed").get<uint64_t>(), n));
            } else {
                throw std::runtime_error("unknown router kind '" + set.kind + "'");
            }
        }
    } catch (const std::exception& e) {
        throw std::runtime_error(path + ": invalid router file (" + e.what() + ")");
    }
    return set;
}

}  // namespace moewb
