# Reconstructed from the image history by ocihist: not the original Dockerfile.
# History never records stage FROM lines, COPY --from sources or RUN --mount options.
# The first 1 step(s) belong to the base image (where the history changes builder); shown as comments.
# The base image's name is not recorded.
FROM <base>
#  bazel build ...  [ocihist: step 0, layer sha256:4cbf01984c72]
# ocihist: step 1, layer sha256:d8f0f383ead5
COPY /app /app
# ocihist: step 2
ENTRYPOINT ["/app"]
