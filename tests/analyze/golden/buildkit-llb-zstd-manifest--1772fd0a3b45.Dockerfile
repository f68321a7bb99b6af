# Reconstructed from the image history by ocihist: not the original Dockerfile.
# History never records stage FROM lines, COPY --from sources or RUN --mount options.
# The first 2 step(s) belong to the base image (where the history changes builder); shown as comments.
# The base image's name is not recorded.
FROM <base>
#  /bin/sh -c #(nop) ADD file:7e9002edaafd4e4579b65c8f0aaabde1aeb7fd3f8d95579f7fd3443cef785fd1 in /  [ocihist: step 0, layer sha256:732ad1c88bfb]
#  /bin/sh -c #(nop)  CMD ["sh"]  [ocihist: step 1]
# BuildKit LLB step: mkdir /proc, mkdir /sys, mkdir /base, mkfile /base/base.txt  [ocihist: step 2, layer sha256:72a37ade5c83]
# BuildKit LLB step: mkdir /inputs/git, mkfile /inputs/llb.txt, copy /artifact.txt /inputs/http.txt, copy /git.txt /inputs/git/git.txt, copy /sub/nested.txt /inputs/git/nested.txt  [ocihist: step 3, layer sha256:cdd742478917]
# BuildKit LLB step: mount / from exec sh -eux -c \nmkdir -p /generated/deeper\necho exec-fixture > /generated/exec.txt\necho nested-exec > /generated/deeper/nested.txt\n  [ocihist: step 4, layer sha256:ef0abf1996fa]
