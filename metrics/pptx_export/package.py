"""python-pptx's bookkeeping without its rescans, for a deck of thousands of slides.

Three of python-pptx's steps look at everything the package already holds each time one
thing is added, so a deck's build grows with the square of its slides and charts (286 s for
a scale-100 deck):

- a new chart or embedded workbook asks `OpcPackage.next_partname`, which walks every
  relationship of every part to collect the names in use;
- a new slide is related to the presentation through `relate_to`, which first looks
  through every relationship of the presentation for one to the same (brand-new) part;
- its `p:sldId` id is one more than the largest id in use, found by reading them all.

`fast_bookkeeping(prs)` answers the same three questions from what it has already handed
out, read once from the package: the same names, rIds and ids python-pptx would give (the
deck's tests compare the two builds part for part). It is installed on one Presentation
object's own instances, not on python-pptx's classes, so nothing else is affected; it
assumes that nothing is removed from the package while the deck is built, which our
builder never does.
"""

from __future__ import annotations

from pptx.opc.constants import RELATIONSHIP_TYPE as RT
from pptx.opc.packuri import PackURI
from pptx.parts.slide import SlidePart

# python-pptx's own bounds for a slide id (pptx.oxml.presentation.CT_SlideIdList._next_id).
MIN_SLIDE_ID = 256
MAX_SLIDE_ID = 2147483647


def fast_bookkeeping(prs) -> None:
    _allocate_partnames(prs.part.package)
    _relate_new_slides(prs.part)
    _number_new_slides(prs.slides)


def _allocate_partnames(package) -> None:
    """`next_partname` as python-pptx computes it (the highest free number not above one
    more than the names of that template), from the names already handed out: the package
    is walked once per template."""
    scan = package.next_partname
    taken: dict[str, set[str]] = {}  # by the templates' prefix, as python-pptx matches them

    def next_partname(tmpl: str) -> PackURI:
        prefix = tmpl[: (tmpl % 42).find("42")]
        names = taken.get(prefix)
        if names is None:
            names = taken[prefix] = {
                str(part.partname)
                for part in package.iter_parts()
                if part.partname.startswith(prefix)
            }
        for n in range(len(names) + 1, 0, -1):
            candidate = tmpl % n
            if candidate not in names:
                names.add(candidate)
                return PackURI(candidate)
        return scan(tmpl)  # pragma: no cover - python-pptx's own "cannot happen"

    package.next_partname = next_partname


def _relate_new_slides(presentation_part) -> None:
    """A slide part the presentation does not know yet gets a new relationship straight
    away: python-pptx would first look through all of them for one to that part."""
    relate_to = presentation_part.relate_to
    rels = presentation_part.rels
    slides = {rel.target_part for rel in rels.values() if rel.reltype == RT.SLIDE}

    def relate(target, reltype: str, is_external: bool = False) -> str:
        if reltype != RT.SLIDE or is_external or target in slides:
            return relate_to(target, reltype, is_external)
        slides.add(target)
        return rels._add_relationship(reltype, target)

    presentation_part.relate_to = relate


def _number_new_slides(slides) -> None:
    """`Slides.add_slide` with each new slide's id counted on from the largest in use,
    which is what python-pptx's `_next_id` reads every id of the list to find, and its part
    name from the count of slides (`PresentationPart._next_slide_partname` counts the list's
    elements for each new slide: 10-18% of a scale-100 build)."""
    sld_id_lst = slides._sldIdLst
    used = [int(s) for s in sld_id_lst.xpath("./p:sldId/@id")]
    last = [max([MIN_SLIDE_ID - 1, *used])]
    count = [len(sld_id_lst)]
    add_slide = slides.add_slide
    presentation_part = slides.part

    def add(slide_layout):
        if last[0] + 1 > MAX_SLIDE_ID:  # pragma: no cover - python-pptx searches for a gap
            return add_slide(slide_layout)
        partname = PackURI(f"/ppt/slides/slide{count[0] + 1}.xml")
        slide_part = SlidePart.new(partname, presentation_part.package, slide_layout.part)
        rId = presentation_part.relate_to(slide_part, RT.SLIDE)
        slide = slide_part.slide
        slide.shapes.clone_layout_placeholders(slide_layout)
        last[0] += 1
        count[0] += 1
        sld_id_lst._add_sldId(id=last[0], rId=rId)
        return slide

    slides.add_slide = add
