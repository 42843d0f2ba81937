#pragma once
// The C ABI between moewb_core and the moewb_spm plugin (the only binary that links
// SentencePiece). Plain C types only, so nothing of SentencePiece's protobuf leaks across.
// Bump MOEWB_SPM_API_VERSION whenever this table changes.

#include <cstddef>
#include <cstdint>

extern "C" {

#define MOEWB_SPM_API_VERSION 1

// Output buffers are allocated by the plugin and released with free_buffer().
struct MoewbSpmApi {
    int api_version;
    // Trains a model from `count` sentences with SentencePiece trainer flags `args`
    // ("--vocab_size=8000 --model_type=unigram ..."). On success returns 0 and stores the
    // serialised ModelProto in *model/*model_size; otherwise returns non-zero and an error text.
    int (*train)(const char* const* sentences, const std::size_t* lengths, std::size_t count,
                 const char* args, char** model, std::size_t* model_size, char** error);
    // Loads a serialised model. Returns an opaque handle, or null with an error text.
    void* (*load)(const char* model, std::size_t model_size, char** error);
    void (*release)(void* handle);
    // Encodes UTF-8 text into ids (allocated int32 array).
    int (*encode)(void* handle, const char* text, std::size_t size, int32_t** ids,
                  std::size_t* count, char** error);
    // Decodes ids into UTF-8 text.
    int (*decode)(void* handle, const int32_t* ids, std::size_t count, char** text,
                  std::size_t* size, char** error);
    int (*vocab_size)(void* handle);
    // Piece of an id (allocated string).
    int (*id_to_piece)(void* handle, int32_t id, char** piece, std::size_t* size);
    void (*free_buffer)(void* buffer);
};

// The plugin's single exported symbol.
typedef const MoewbSpmApi* (*MoewbSpmApiFunction)(void);
#define MOEWB_SPM_API_SYMBOL "moewb_spm_api"
}
