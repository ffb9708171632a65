"""Vietnamese for Qt's own texts: the file dialog, standard buttons, edit menus.

Qt ships no Vietnamese catalogue, so a file dialog said "Look in", "File name",
"Cancel" inside a Vietnamese window. :class:`QtVietnamese` is a translator that
answers Qt's own (context, English) pairs from the table below; with
``AA_DontUseNativeDialogs`` every file dialog is Qt's, so every label in it is ours,
whatever the language of the Windows installation.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QTranslator

# (Qt context, Qt's English source) -> Vietnamese (same mnemonics and %1 placeholders)
QT_VI: dict[tuple[str, str], str] = {
    ("QFileDialog", "&Look in:"): "&Tìm trong:",
    ("QFileDialog", "Look in:"): "Tìm trong:",
    ("QFileDialog", "File &name:"): "&Tên tệp:",
    ("QFileDialog", "Files of &type:"): "&Loại tệp:",
    ("QFileDialog", "Directory:"): "Thư mục:",
    ("QFileDialog", "&Open"): "&Mở",
    ("QFileDialog", "Open"): "Mở",
    ("QFileDialog", "&Save"): "&Lưu",
    ("QFileDialog", "Save As"): "Lưu thành",
    ("QFileDialog", "&Choose"): "&Chọn",
    ("QFileDialog", "Find Directory"): "Chọn thư mục",
    ("QFileDialog", "&Delete"): "&Xóa",
    ("QFileDialog", "&Rename"): "Đổi &tên",
    ("QFileDialog", "&New Folder"): "Thư mục &mới",
    ("QFileDialog", "New Folder"): "Thư mục mới",
    ("QFileDialog", "Show &hidden files"): "Hiện tệp &ẩn",
    ("QFileDialog", "Show "): "Hiện ",
    ("QFileDialog", "All Files (*)"): "Mọi tệp (*)",
    ("QFileDialog", "Back"): "Lùi lại",
    ("QFileDialog", "Forward"): "Tiến tới",
    ("QFileDialog", "Parent Directory"): "Thư mục cha",
    ("QFileDialog", "Create New Folder"): "Tạo thư mục mới",
    ("QFileDialog", "Create a New Folder"): "Tạo một thư mục mới",
    ("QFileDialog", "List View"): "Xem dạng danh sách",
    ("QFileDialog", "Detail View"): "Xem chi tiết",
    ("QFileDialog", "Change to list view mode"): "Chuyển sang xem dạng danh sách",
    ("QFileDialog", "Change to detail view mode"): "Chuyển sang xem chi tiết",
    ("QFileDialog", "Go back"): "Lùi lại",
    ("QFileDialog", "Go forward"): "Tiến tới",
    ("QFileDialog", "Go to the parent directory"): "Lên thư mục cha",
    ("QFileDialog", "List of places and bookmarks"): "Danh sách nơi lưu và dấu trang",
    ("QFileDialog", "Sidebar"): "Thanh bên",
    ("QFileDialog", "Files"): "Tệp",
    ("QFileDialog", "Directories"): "Thư mục",
    ("QFileDialog", "Recent Places"): "Nơi mở gần đây",
    ("QFileDialog", "My Computer"): "Máy tính",
    ("QFileDialog", "Computer"): "Máy tính",
    ("QFileDialog", "File"): "Tệp",
    ("QFileDialog", "File Folder"): "Thư mục",
    ("QFileDialog", "Folder"): "Thư mục",
    ("QFileDialog", "Alias"): "Bí danh",
    ("QFileDialog", "Shortcut"): "Lối tắt",
    ("QFileDialog", "Unknown"): "Không rõ",
    ("QFileDialog", "Invalid filename"): "Tên tệp không hợp lệ",
    ("QFileDialog", "%1 already exists.\nDo you want to replace it?"): (
        "%1 đã có.\nBạn có muốn ghi đè không?"
    ),
    ("QFileDialog", "Are you sure you want to delete '%1'?"): "Bạn có chắc muốn xóa '%1'?",
    ("QFileDialog", "'%1' is write protected.\nDo you want to delete it anyway?"): (
        "'%1' đang được bảo vệ chống ghi.\nVẫn xóa?"
    ),
    ("QFileDialog", "Could not delete directory."): "Không xóa được thư mục.",
    (
        "QFileDialog",
        "%1\nDirectory not found.\nPlease verify the correct directory name was given.",
    ): "%1\nKhông tìm thấy thư mục.\nHãy kiểm tra lại tên thư mục.",
    (
        "QFileDialog",
        "%1\nFile not found.\nPlease verify the correct file name was given.",
    ): "%1\nKhông tìm thấy tệp.\nHãy kiểm tra lại tên tệp.",
    ("QFileSystemModel", "Name"): "Tên",
    ("QFileSystemModel", "Size"): "Kích thước",
    ("QFileSystemModel", "Type"): "Loại",
    ("QFileSystemModel", "Kind"): "Loại",
    ("QFileSystemModel", "Date Modified"): "Ngày sửa",
    ("QFileSystemModel", "Computer"): "Máy tính",
    ("QFileSystemModel", "My Computer"): "Máy tính",
    ("QFileSystemModel", "%1 TB"): "%1 TB",
    ("QFileSystemModel", "%1 GB"): "%1 GB",
    ("QFileSystemModel", "%1 MB"): "%1 MB",
    ("QFileSystemModel", "%1 KB"): "%1 KB",
    ("QFileSystemModel", "%1 bytes"): "%1 byte",
    ("QFileSystemModel", "Invalid filename"): "Tên tệp không hợp lệ",
    ("QAbstractFileIconProvider", "Drive"): "Ổ đĩa",
    ("QAbstractFileIconProvider", "Folder"): "Thư mục",
    ("QAbstractFileIconProvider", "File"): "Tệp",
    ("QAbstractFileIconProvider", "%1 File"): "Tệp %1",
    ("QAbstractFileIconProvider", "Unknown"): "Không rõ",
    ("QPlatformTheme", "OK"): "Đồng ý",
    ("QPlatformTheme", "Cancel"): "Hủy",
    ("QPlatformTheme", "Save"): "Lưu",
    ("QPlatformTheme", "Open"): "Mở",
    ("QPlatformTheme", "Close"): "Đóng",
    ("QPlatformTheme", "Apply"): "Áp dụng",
    ("QPlatformTheme", "Discard"): "Bỏ",
    ("QPlatformTheme", "Help"): "Trợ giúp",
    ("QPlatformTheme", "&Yes"): "&Có",
    ("QPlatformTheme", "&No"): "&Không",
    ("QPlatformTheme", "Yes to &All"): "Có với &tất cả",
    ("QPlatformTheme", "N&o to All"): "K&hông với tất cả",
    ("QPlatformTheme", "Abort"): "Dừng",
    ("QPlatformTheme", "Retry"): "Thử lại",
    ("QPlatformTheme", "Ignore"): "Bỏ qua",
    ("QPlatformTheme", "Reset"): "Đặt lại",
    ("QPlatformTheme", "Restore Defaults"): "Khôi phục mặc định",
    # Qt's own print dialog (Linux; on Windows the system's dialog is used)
    ("QPrintDialog", "Print"): "In",
    ("QPrintDialog", "&Print"): "&In",
    ("QPrintDialog", "&Options >>"): "&Tùy chọn >>",
    ("QPrintDialog", "&Options <<"): "&Tùy chọn <<",
    ("QPrintDialog", "Local file"): "Tệp trên máy",
    ("QPrintDialog", "Write PDF file"): "Ghi tệp PDF",
    ("QPrintDialog", "Print to File (PDF)"): "In ra tệp (PDF)",
    ("QPrintDialog", "All Pages"): "Mọi trang",
    ("QPrintDialog", "Odd Pages"): "Trang lẻ",
    ("QPrintDialog", "Even Pages"): "Trang chẵn",
    ("QPrintWidget", "Printer"): "Máy in",
    ("QPrintWidget", "&Name:"): "&Tên:",
    ("QPrintWidget", "P&roperties"): "&Thuộc tính",
    ("QPrintWidget", "Location:"): "Vị trí:",
    ("QPrintWidget", "Preview"): "Xem trước",
    ("QPrintWidget", "Type:"): "Loại:",
    ("QPrintWidget", "Output &file:"): "&Tệp kết quả:",
    ("QPrintSettingsOutput", "Copies"): "Số bản",
    ("QPrintSettingsOutput", "Copies:"): "Số bản:",
    ("QPrintSettingsOutput", "Collate"): "In theo bộ",
    ("QPrintSettingsOutput", "Reverse"): "In ngược",
    ("QPrintSettingsOutput", "Options"): "Tùy chọn",
    ("QPrintSettingsOutput", "Output Settings"): "Thiết lập đầu ra",
    ("QPrintSettingsOutput", "Print range"): "Phạm vi in",
    ("QPrintSettingsOutput", "Print all"): "In tất cả",
    ("QPrintSettingsOutput", "Pages from"): "Từ trang",
    ("QPrintSettingsOutput", "to"): "đến",
    ("QPrintSettingsOutput", "Pages"): "Các trang",
    ("QPrintSettingsOutput", "Current Page"): "Trang hiện tại",
    ("QPrintSettingsOutput", "Selection"): "Vùng chọn",
    ("QPrintSettingsOutput", "Page &Set:"): "&Nhóm trang:",
    ("QPrintSettingsOutput", "Color Mode"): "Chế độ màu",
    ("QPrintSettingsOutput", "Color"): "Màu",
    ("QPrintSettingsOutput", "Grayscale"): "Thang xám",
    ("QPrintSettingsOutput", "Double Sided Printing"): "In hai mặt",
    ("QPrintSettingsOutput", "Off"): "Tắt",
    ("QPrintSettingsOutput", "Long side binding"): "Đóng gáy cạnh dài",
    ("QPrintSettingsOutput", "Short side binding"): "Đóng gáy cạnh ngắn",
    (
        "QPrintSettingsOutput",
        "Specify pages or ranges separated by commas. Ranges are specified by two numbers "
        "separated by a hyphen. E.g: 3,5-7,9 prints pages 3, 5, 6, 7 and 9.",
    ): "Ghi các trang hoặc khoảng trang, cách nhau bằng dấu phẩy; một khoảng là hai số nối "
    "bằng dấu gạch ngang. Ví dụ: 3,5-7,9 in các trang 3, 5, 6, 7 và 9.",
    ("QPageSetupWidget", "Paper"): "Khổ giấy",
    ("QPageSetupWidget", "Page size:"): "Cỡ trang:",
    ("QPageSetupWidget", "Width:"): "Rộng:",
    ("QPageSetupWidget", "Height:"): "Cao:",
    ("QPageSetupWidget", "Paper source:"): "Nguồn giấy:",
    ("QPageSetupWidget", "Orientation"): "Hướng giấy",
    ("QPageSetupWidget", "Portrait"): "Dọc",
    ("QPageSetupWidget", "Landscape"): "Ngang",
    ("QPageSetupWidget", "Reverse landscape"): "Ngang ngược",
    ("QPageSetupWidget", "Reverse portrait"): "Dọc ngược",
    ("QPageSetupWidget", "Margins"): "Lề",
    ("QPageSetupWidget", "top margin"): "lề trên",
    ("QPageSetupWidget", "bottom margin"): "lề dưới",
    ("QPageSetupWidget", "left margin"): "lề trái",
    ("QPageSetupWidget", "right margin"): "lề phải",
    ("QPageSetupWidget", "Page Layout"): "Bố cục trang",
    ("QPageSetupWidget", "Pages &per sheet:"): "Số trang trên &mỗi tờ:",
    ("QPageSetupWidget", "Page &order:"): "&Thứ tự trang:",
    ("QPageSetupWidget", "Custom"): "Tùy chỉnh",
    ("QPageSetupWidget", "Millimeters (mm)"): "Milimét (mm)",
    ("QPageSetupWidget", "Inches (in)"): "Inch (in)",
    ("QPageSetupWidget", "Points (pt)"): "Điểm (pt)",
    ("QPlatformTheme", "Save All"): "Lưu tất cả",
    ("QPlatformTheme", "Don't Save"): "Không lưu",
    ("QPlatformTheme", "Close without Saving"): "Đóng không lưu",
    ("QMessageBox", "Show Details..."): "Xem chi tiết...",
    ("QMessageBox", "Hide Details..."): "Ẩn chi tiết...",
    ("QMessageBox", "OK"): "Đồng ý",
}
for _context in ("QLineEdit", "QWidgetTextControl"):
    QT_VI.update(
        {
            (_context, "&Undo"): "&Hoàn tác",
            (_context, "&Redo"): "&Làm lại",
            (_context, "Cu&t"): "&Cắt",
            (_context, "&Copy"): "C&hép",
            (_context, "&Paste"): "&Dán",
            (_context, "Delete"): "Xóa",
            (_context, "Select All"): "Chọn tất cả",
            (_context, "Copy &Link Location"): "Chép địa chỉ &liên kết",
        }
    )


class QtVietnamese(QTranslator):
    """Answers Qt's own texts in Vietnamese (anything not in the table stays Qt's)."""

    def translate(
        self, context: str, source: str, disambiguation: str | None = None, n: int = -1
    ) -> str | None:
        """The Vietnamese for (context, source), or None (a null string: Qt keeps its own;
        an empty string would replace every other Qt text with nothing)."""
        return QT_VI.get((context, source))

    def isEmpty(self) -> bool:
        """Never empty: Qt skips empty translators."""
        return False


def install(app: QCoreApplication) -> QtVietnamese:
    """Install the translator on ``app`` (kept alive as the app's child)."""
    translator = QtVietnamese(app)
    app.installTranslator(translator)
    return translator
