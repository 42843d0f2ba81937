#pragma once
// Routers pick K of N experts per token (docs/algorithms.md, "Routers"). Each scores every expert;
// the top K run.

#include "moewb/moe/ExpertFfn.h"
#include "moewb/util/Feedback.h"

#include <memory>
#include <string>
#include <vector>

namespace moewb {

class Router {
public:
    virtual ~Router() = default;
    virtual std::string kind() const = 0;
    // Expert scores [T, N] for FFN inputs x [T, d]; higher means "more likely needed".
    virtual torch::Tensor scores(const torch::Tensor& x, const ExpertFfn& experts) const = 0;
    // Same, knowing the token id of each row (int64 [T], or undefined when unknown). Routers that
    // look at x only ignore the ids; routers keyed on the token throw std::invalid_argument
    // when given none.
    virtual torch::Tensor scores(const torch::Tensor& x, const ExpertFfn& experts,
                                 const torch::Tensor& tokenIds) const {
        (void)tokenIds;
        return scores(x, experts);
    }
    // True when scores() needs the token ids (then FFN inputs alone cannot be routed).
    virtual bool needsTokenIds() const { return false; }
    // The same scores on raw memory, for the decode-size path (no LibTorch op per call): x [rows,
    // d] row-major, tokenIds [rows] or null, out [rows, N]. The default goes through scores().
    virtual void scoreRows(const float* x, int64_t rows, const ExpertFfn& experts,
                           const int64_t* tokenIds, float* out) const;
    // Multiply-adds per token spent on routing (for the cost accounting shown to users).
    virtual int64_t flopsPerToken(const ExpertFfn& experts) const = 0;
    // Turns one token's scores [n] in place into shares of the FFN's work that sum to 1 (dynamic
    // K takes experts until their shares reach a threshold). Default: softmax.
    virtual void massShares(float* scores, int n) const;
};

// Ground truth: s_e = Σ_{j∈e} relu(h_j). Needs the dense hidden layer, so it is an upper bound.
class OracleRouter : public Router {
public:
    using Router::scores;
    std::string kind() const override { return "oracle"; }
    torch::Tensor scores(const torch::Tensor& x, const ExpertFfn& experts) const override {
        return experts.oracleScores(x);
    }
    void scoreRows(const float* x, int64_t rows, const ExpertFfn& experts, const int64_t* tokenIds,
                   float* out) const override;
    int64_t flopsPerToken(const ExpertFfn& e) const override {
        return int64_t(e.numExperts()) * e.expertSize() * e.dModel();
    }
    void massShares(float* scores, int n) const override;  // each expert's share of the mass
};

// s_e = x̂ · c_e with c_e the mean of expert e's normalised W1 rows.
class SimilarityRouter : public Router {
public:
    explicit SimilarityRouter(const ExpertFfn& experts);
    using Router::scores;
    std::string kind() const override { return "similarity"; }
    torch::Tensor scores(const torch::Tensor& x, const ExpertFfn& experts) const override;
    void scoreRows(const float* x, int64_t rows, const ExpertFfn& experts, const int64_t* tokenIds,
                   float* out) const override;
    int64_t flopsPerToken(const ExpertFfn& e) const override {
        return int64_t(e.numExperts()) * e.dModel();
    }
    const torch::Tensor& centroids() const { return m_centroids; }

private:
    torch::Tensor m_centroids;  // [N, d]
};

struct MlpRouterOptions {
    int epochs = 30;             // training epochs; the best held-out epoch is kept (default 30)
    int batchSize = 512;         // tokens per step (default 512)
    double learningRate = 0.01;  // Adam learning rate (default 0.01)
    double heldOutShare = 0.1;   // share of tokens held out for choosing the epoch (default 0.1)
    uint64_t seed = 1;           // split and shuffling seed (default 1)
};

// MoEfication's gate: x̂ → Linear(d→N, init centroids) → tanh → Linear(N→N, init identity),
// trained with BCE-with-logits on oracle scores divided by their batch maximum.
class MlpRouter : public Router {
public:
    explicit MlpRouter(const ExpertFfn& experts);          // initialised, untrained
    MlpRouter(torch::Tensor first, torch::Tensor second);  // from saved weights
    using Router::scores;
    std::string kind() const override { return "mlp"; }
    torch::Tensor scores(const torch::Tensor& x, const ExpertFfn& experts) const override;
    void scoreRows(const float* x, int64_t rows, const ExpertFfn& experts, const int64_t* tokenIds,
                   float* out) const override;
    int64_t flopsPerToken(const ExpertFfn& e) const override {
        return int64_t(e.numExperts()) * (e.dModel() + e.numExperts());
    }
    // The gate learns sigmoid(score) ≈ oracle mass / largest mass, so normalised sigmoids
    // estimate each expert's share of the oracle mass.
    void massShares(float* scores, int n) const override;
    // Trains on FFN inputs x [T, d]; returns the best held-out loss.
    double train(const torch::Tensor& x, const ExpertFfn& experts, const MlpRouterOptions& options,
                 Feedback& feedback);
    const torch::Tensor& first() const { return m_first; }
    const torch::Tensor& second() const { return m_second; }

private:
    torch::Tensor m_first;   // [N, d]
    torch::Tensor m_second;  // [N, N]
};

// The gate of a sparse MoE trained together with its experts: noisy top-K gating (Shazeer et al.
// 2017) as MoeFinetuner's joint-gate routing trains it; s = W x̂ on the unit-length input, without
// the training noise. Saved in router files of kind "gate".
class GateRouter : public Router {
public:
    explicit GateRouter(torch::Tensor weight);  // [N, d]
    using Router::scores;
    std::string kind() const override { return "gate"; }
    torch::Tensor scores(const torch::Tensor& x, const ExpertFfn& experts) const override;
    void scoreRows(const float* x, int64_t rows, const ExpertFfn& experts, const int64_t* tokenIds,
                   float* out) const override;
    int64_t flopsPerToken(const ExpertFfn& e) const override {
        return int64_t(e.numExperts()) * e.dModel();
    }
    const torch::Tensor& weight() const { return m_weight; }
    // Unit-length rows of x (what every x̂-router scores), differentiable (the gate's training).
    static torch::Tensor normalisedInput(const torch::Tensor& x);
    // The similarity router's expert centroids [N, d], where a joint gate starts.
    static torch::Tensor initialWeight(const ExpertFfn& experts);

private:
    torch::Tensor m_weight;  // [N, d]
};

// MoEBERT's hash router: a fixed, seeded table from token id to experts. scores[t, e] is a hash
// of (seed, token id, e) mapped to [0, 1), so the top K of a token id is always the same K
// experts and nothing but the seed needs saving. It ignores x entirely.
class HashRouter : public Router {
public:
    HashRouter(uint64_t seed, int numExperts);
    using Router::scores;
    std::string kind() const override { return "hash"; }
    // Throws std::invalid_argument: the hash router routes by token id, not by x.
    torch::Tensor scores(const torch::Tensor& x, const ExpertFfn& experts) const override;
    // float [T, N]; throws std::invalid_argument for undefined or negative ids, or when the
    // experts' N is not the router's.
    torch::Tensor scores(const torch::Tensor& x, const ExpertFfn& experts,
                         const torch::Tensor& tokenIds) const override;
    bool needsTokenIds() const override { return true; }
    void scoreRows(const float* x, int64_t rows, const ExpertFfn& experts, const int64_t* tokenIds,
                   float* out) const override;
    int64_t flopsPerToken(const ExpertFfn&) const override { return 0; }  // a table look-up
    uint64_t seed() const { return m_seed; }
    int numExperts() const { return m_numExperts; }
    // The score of expert e for token id `token` (the table entry), in [0, 1).
    static float score(uint64_t seed, int64_t token, int expert);

private:
    uint64_t m_seed;
    int m_numExperts;
};

// recall@K = |router top-K ∩ oracle top-K| / K and mass coverage = Σ_{router top-K} oracle /
// Σ oracle, averaged over tokens, for K = 1 … N (index K - 1).
struct RouterQuality {
    std::vector<double> recall;        // [k-1]: recall@k against the oracle's top k
    std::vector<double> massCoverage;  // [k-1]: oracle mass share of the router's top k
    // Expert load (docs/algorithms.md, "Router quality"): load[k-1][e] is the share of held-out
    // tokens that run expert e when the router picks k; loadCv[k-1] the coefficient of variation
    // (std / mean) of those shares, 0 for perfectly even load. Empty in router files written before
    // load was measured.
    std::vector<std::vector<double>> load;
    std::vector<double> loadCv;
};
RouterQuality evaluateRouter(const Router& router, const ExpertFfn& experts,
                             const torch::Tensor& x);
// Same with the token id of each row of x (needed by routers keyed on the token, e.g. hash).
RouterQuality evaluateRouter(const Router& router, const ExpertFfn& experts, const torch::Tensor& x,
                             const torch::Tensor& tokenIds);

}  // namespace moewb
