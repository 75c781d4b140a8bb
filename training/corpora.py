"""Brings the training corpora of models v8 into `.cache/` and describes them with the teacher.

Every step is resumable and rebuilds only what is missing, so rerunning after an interruption
continues where it stopped:

1. extract: each corpus from its repository snapshot (the search tool's `fetch github:OWNER/NAME`
   gives the git directory; pass the folder holding them with --mirrors) into
   `.cache/corpora/NAME/` with `git archive` (no image is ever committed);
2. teacher: `facevq teacher` on each corpus, in parallel processes: the face's landmarks inside
   the box the corpus's crops were made with (measured on 40 images per corpus against the full
   detector: 0.8-1.0 px apart, teacher cosine 0.98-0.99), the plain chip plus augmented views
   re-warped from the source photo, each described by faceres through onnxruntime-node.

    /usr/bin/python3 training/corpora.py --mirrors /work/.mirror --jobs 2

The LFW cache it also builds (one view, full detection) is only for the near-duplicate check
(`training/dedup.py`): no LFW image ever trains a shipped model.
"""
import argparse
import os
import subprocess
import sys
import threading

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..')
CORPORA = os.path.join(ROOT, '.cache', 'corpora')
TEACHER = os.path.join(ROOT, '.cache', 'teacher', 'v8')

# name: (repository, paths in it, image folder below .cache/corpora/NAME)
SOURCES = {
    'celeba-ids': ('ShaharKSegal+CelebA_Samples', ['celeba_identity_samples', 'identity_CelebA.txt'], 'celeba_identity_samples'),
    'utk-full': ('xerow03+UTKFace', ['data'], 'data'),
    'celeba-hw4': ('karthikSingireddy+cs389-hw4', ['celebA'], 'celebA'),
    'fairface': ('sumanvithaeadala+EthnicityDetection', ['fair_face'], 'fair_face'),
}

# name: (--detect, views, augmentation seed). The boxes are the mean face-api detection box of 40
# images of each corpus, as fractions of the image (CelebA's aligned 178x218 crops and the hw4 copy
# at half that size share one geometry; FairFace's crops pad the detected face by 25% a side).
JOBS = [
    ('celeba-ids', 'box:0.169,0.406,0.629,0.461', 3, 1),
    ('utk-full', 'box:0,0.06,1,0.9', 3, 2),
    ('lfw', 'full', 1, None),
    ('celeba-hw4-new', 'box:0.169,0.406,0.629,0.461', 3, 3),
    ('fairface', 'box:0.15,0.15,0.7,0.7', 3, 4),
]


def extract(mirrors, name):
    repo, paths, folder = SOURCES[name]
    out = os.path.join(CORPORA, name)
    if os.path.isdir(os.path.join(out, folder)):
        return os.path.join(out, folder)
    git_dir = os.path.join(mirrors, repo, 'repo')
    if not os.path.isdir(git_dir):
        sys.exit(f'corpora: no snapshot of {repo} at {git_dir}: fetch github:{repo.replace("+", "/")} first')
    os.makedirs(out, exist_ok=True)
    archive = subprocess.Popen(['git', f'--git-dir={git_dir}', 'archive', 'HEAD', *paths], stdout=subprocess.PIPE)
    subprocess.run(['tar', '-x', '-C', out], stdin=archive.stdout, check=True)
    if archive.wait() != 0:
        sys.exit(f'corpora: git archive of {repo} failed')
    return os.path.join(out, folder)


def hw4_new(mirrors):
    """The hw4 copy's CelebA images (000001-010000) that CelebA_Samples does not hold, as links:
    CelebA is deduplicated across sources by image id."""
    ids = extract(mirrors, 'celeba-ids')
    taken = {f.split('_', 1)[1] for f in os.listdir(ids)}
    hw4 = extract(mirrors, 'celeba-hw4')
    out = os.path.join(CORPORA, 'celeba-hw4-new')
    os.makedirs(out, exist_ok=True)
    for f in sorted(os.listdir(hw4)):
        link = os.path.join(out, f)
        if f not in taken and not os.path.lexists(link):
            os.symlink(os.path.join(hw4, f), link)
    return out


def data_dir(mirrors, lfw, name):
    if name == 'lfw':
        return lfw
    if name == 'celeba-hw4-new':
        return hw4_new(mirrors)
    return extract(mirrors, name)


def teacher(data, name, detect, views, seed):
    cmd = ['npx', 'tsx', 'src/cli/main.ts', 'teacher', '--data', data, '--detect', detect,
           '--views', str(views), '--out', os.path.join(TEACHER, name)]
    if seed is not None:
        cmd += ['--augment', str(seed)]
    log = open(os.path.join(TEACHER, f'{name}.log'), 'a')
    print(' '.join(cmd), flush=True)
    code = subprocess.run(cmd, cwd=ROOT, stdout=log, stderr=log).returncode
    print(f'{name}: exit {code}', flush=True)
    return code


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--mirrors', default='/work/.mirror', help='folder of the fetched snapshots (OWNER+NAME/repo)')
    ap.add_argument('--lfw', default=os.path.join(ROOT, '..', 'shared', 'data', 'lfw'))
    ap.add_argument('--jobs', type=int, default=2, help='teacher processes side by side')
    ap.add_argument('--only', nargs='*', help='these job names only')
    args = ap.parse_args()
    os.makedirs(TEACHER, exist_ok=True)
    pending = [j for j in JOBS if not args.only or j[0] in args.only]
    lock = threading.Lock()

    def worker():
        while True:
            with lock:
                if not pending:
                    return
                name, detect, views, seed = pending.pop(0)
            teacher(data_dir(args.mirrors, args.lfw, name), name, detect, views, seed)

    threads = [threading.Thread(target=worker) for _ in range(args.jobs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


if __name__ == '__main__':
    main()
